import { chmodSync, existsSync, unlinkSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { Args, Command, Services } from "./command.js";
import { type Captured, executeCaptured } from "./execute.js";

/**
 * The embedded database can be open in one process only, so while `mailauth serve` runs the CLI
 * hands its command to the server over a Unix socket (mode 0600 in the 0700 data dir: only the
 * owner, who could read the database files anyway). The CLI reads passwords and files itself and
 * sends them along; the server runs the very same command code on its open database.
 */
export interface ControlRequest {
  argv: string[];
  input: unknown;
  /** The CLI process's user, recorded in the audit log instead of the server's. */
  actor?: string;
}

type Resolve = (argv: string[]) => { command: Command<never>; args: Args };

const MAX_REQUEST = 64 * 1024 * 1024; // a passwd-file import rides along

/** Serves commands on `socketPath` with the server's own services. */
export async function listenControl(
  socketPath: string,
  services: Services,
  resolve: Resolve,
): Promise<Server> {
  if (existsSync(socketPath)) unlinkSync(socketPath); // left by a process that died; we hold the lock
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST) req.destroy();
      else chunks.push(chunk);
    });
    req.on("end", async () => {
      let reply: Captured;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ControlRequest;
        const { command, args } = resolve(body.argv);
        const actor = typeof body.actor === "string" ? body.actor.slice(0, 200) : services.actor;
        reply = await executeCaptured(command as Command<unknown>, { ...services, actor }, args, body.input);
      } catch (error) {
        reply = { code: 1, stdout: "", stderr: `mailauth: ${(error as Error).message}\n` };
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((ok, fail) => server.once("error", fail).listen(socketPath, ok));
  chmodSync(socketPath, 0o600);
  return server;
}

/** Sends a command to the running server; null when nothing listens on the socket. */
export function callControl(socketPath: string, body: ControlRequest): Promise<Captured | null> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path: "/run", method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Captured);
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ECONNREFUSED") resolve(null);
      else reject(error);
    });
    req.end(JSON.stringify(body));
  });
}
