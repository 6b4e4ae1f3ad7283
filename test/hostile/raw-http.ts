// Raw HTTP/1.1 over a socket, for requests no HTTP client would send (test/hostile/corpus.test.ts).
import { connect } from "node:net";

export const REPLY_TIMEOUT_MS = 8000;
const SETTLE_MS = 20;
const IDLE_MS = 1000;

export interface Reply {
  statuses: number[];
  heads: string[];
  bodies: string[];
  hung: boolean;
  reset: boolean;
}

/** Splits what the server wrote into complete responses (Content-Length or chunked bodies). */
export function parseResponses(raw: Buffer): Pick<Reply, "statuses" | "heads" | "bodies"> {
  const statuses: number[] = [];
  const heads: string[] = [];
  const bodies: string[] = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf("\r\n\r\n", at);
    if (end < 0) break;
    const head = raw.subarray(at, end).toString("latin1");
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (!status) break;
    at = end + 4;
    // An interim "100 Continue" is not the answer.
    if (status[1]?.startsWith("1")) continue;
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let body = "";
    if (length) {
      if (at + Number(length[1]) > raw.length) break;
      body = raw.subarray(at, at + Number(length[1])).toString("utf8");
      at += Number(length[1]);
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      let complete = false;
      for (;;) {
        const line = raw.indexOf("\r\n", at);
        if (line < 0) break;
        const size = Number.parseInt(raw.subarray(at, line).toString("latin1"), 16);
        at = line + 2;
        if (!(size > 0)) {
          complete = true;
          at += 2;
          break;
        }
        body += raw.subarray(at, at + size).toString("utf8");
        at += size + 2;
      }
      if (!complete) break;
    } else {
      body = raw.subarray(at).toString("utf8");
      at = raw.length;
    }
    statuses.push(Number(status[1]));
    heads.push(head);
    bodies.push(body);
  }
  return { statuses, heads, bodies };
}

/**
 * Writes the parts (a pause between them) and collects what comes back until the server closes,
 * or until a complete response is followed by a quiet SETTLE_MS (a pipelined second answer would
 * come in that time). A request the server is still waiting on after `idleMs` is half-closed, so
 * an incomplete request ends as a close (Infinity: wait for a complete request's answer). No answer and no close by REPLY_TIMEOUT_MS is a hang.
 */
export function exchange(
  port: number,
  parts: (string | Buffer)[],
  { pauseMs = 5, idleMs = IDLE_MS }: { pauseMs?: number; idleMs?: number } = {},
): Promise<Reply> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    let reset = false;
    let hung = false;
    let settle: NodeJS.Timeout | undefined;
    let idle: NodeJS.Timeout | undefined;
    const socket = connect(port, "127.0.0.1");
    const timer = setTimeout(() => {
      hung = true;
      socket.destroy();
    }, REPLY_TIMEOUT_MS);
    socket.on("data", (d) => {
      chunks.push(d);
      clearTimeout(idle);
      clearTimeout(settle);
      if (parseResponses(Buffer.concat(chunks)).statuses.length > 0)
        settle = setTimeout(() => socket.destroy(), SETTLE_MS);
    });
    // A server that drops a connection with unread input sends a reset: a close, not a crash.
    socket.on("error", () => {
      reset = true;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      clearTimeout(settle);
      clearTimeout(idle);
      done({ ...parseResponses(Buffer.concat(chunks)), hung, reset });
    });
    socket.on("connect", async () => {
      for (const [i, part] of parts.entries()) {
        if (socket.destroyed) return;
        if (i > 0) await new Promise((r) => setTimeout(r, pauseMs));
        socket.write(part);
      }
      if (Number.isFinite(idleMs)) idle = setTimeout(() => socket.end(), idleMs);
    });
  });
}

export type Headers = [string, string][];

/** One request as bytes; Content-Length is added unless a framing header is given. */
export function request(
  method: string,
  path: string,
  headers: Headers = [],
  body: string | Buffer = "",
): Buffer {
  const framed = headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const all: Headers = [["Host", "mailauth.test"], ...headers];
  if (!framed && (bytes.length > 0 || method === "POST")) all.push(["Content-Length", String(bytes.length)]);
  const head = `${method} ${path} HTTP/1.1\r\n${all.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), bytes]);
}
