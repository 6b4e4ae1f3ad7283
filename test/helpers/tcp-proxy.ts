import { connect, createServer, type Socket } from "node:net";

/** A TCP proxy in front of a server that can be told to slow down or stop passing bytes. */
export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** Every chunk, both ways, waits this long first (0: pass at once). */
  delay(ms: number): void;
  /** Holds every byte, both ways, on open and new connections, until `resume`. */
  stall(): void;
  /** Passes traffic again: what was held goes first, in order. */
  resume(): void;
  close(): Promise<void>;
}

/**
 * Listens on a free loopback port and forwards to `target` (host:port). A stalled proxy keeps
 * the TCP connections open and accepts new ones: like a database host that stopped answering,
 * which a refused connection does not show.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let delayMs = 0;
  let stalled = false;
  let release: () => void = () => {};
  let resumed: Promise<void> = Promise.resolve();
  const sockets = new Set<Socket>();

  /** Forwards `from` to `to` chunk by chunk, in order, through the current gate. */
  const forward = (from: Socket, to: Socket) => {
    let chain = Promise.resolve();
    from.on("data", (chunk) => {
      chain = chain.then(async () => {
        while (stalled) await resumed;
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        if (!to.destroyed) to.write(chunk);
      });
    });
  };

  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };

  const resume = () => {
    stalled = false;
    release();
  };
  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    delay(ms) {
      delayMs = ms;
    },
    stall() {
      if (stalled) return;
      stalled = true;
      resumed = new Promise((r) => {
        release = r;
      });
    },
    resume,
    async close() {
      resume();
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
