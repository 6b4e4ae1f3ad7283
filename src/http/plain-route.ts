import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics/metrics.js";
import { createHold } from "../passwords/verify-timing.js";
import { BodyReadError } from "./read-body.js";
import { requestLogger } from "./request-context.js";

/** What a plain route sees of its request: the body is read (and bounded) before it runs. */
export interface PlainRequest {
  /** A header's value by lower-case name (repeated headers joined as node:http joins them). */
  header(name: string): string | undefined;
  /** A query-string parameter. */
  query(name: string): string | null;
  body: string;
  /** The request's logger, with its request id; made on first use. */
  log(): Logger;
}

/** A JSON reply. */
export interface Reply {
  status: number;
  json: unknown;
  /** A performance.now() instant before which it is not sent (a failure held, see createHold). */
  notBefore?: number;
}

/** A POST route served on node:http directly; see `withPlainRoutes`. */
export interface PlainRoute {
  path: string;
  /** Larger bodies get 413 without being read. */
  maxBody: number;
  handle(request: PlainRequest): Reply | Promise<Reply>;
}

export const reply = (status: number, json: unknown): Reply => ({ status, json });

/**
 * Serves the POST routes Dovecot calls on every login straight on node:http and hands every
 * other request to `fallback` (the Hono application). @hono/node-server's Request and Response
 * emulation and Hono's context cost ~3 µs per request, a fifth of what a banned address's refusal
 * costs in all (docs/BENCHMARKS-http.md); the admin API, metrics and exports keep Hono.
 * Bodies are bounded, replies timed per route like Hono's, and an exception becomes a 500 as in
 * src/app.ts.
 */
export function withPlainRoutes(
  routes: PlainRoute[],
  deps: { log: Logger; metrics: Pick<Metrics, "request"> },
  fallback: RequestListener,
): RequestListener {
  const byPath = new Map(routes.map((r) => [r.path, r]));
  const hold = createHold();
  return (req, res) => {
    const url = req.url ?? "/";
    const mark = url.indexOf("?");
    const route = req.method === "POST" ? byPath.get(mark === -1 ? url : url.slice(0, mark)) : undefined;
    if (!route) return fallback(req, res);
    // serve() answers its own errors; this only keeps a failure to write the reply (the socket
    // gone in between) from becoming an unhandled rejection, which would end the process.
    serve(route, req, res, mark === -1 ? "" : url.slice(mark + 1), deps, hold).catch((error: Error) =>
      unwritten(deps.log, route, error),
    );
  };
}

const unwritten = (log: Logger, route: PlainRoute, error: Error) =>
  log.warn({ err: error.message, route: route.path }, "reply could not be written");

async function serve(
  route: PlainRoute,
  req: IncomingMessage,
  res: ServerResponse,
  search: string,
  deps: { log: Logger; metrics: Pick<Metrics, "request"> },
  hold: ReturnType<typeof createHold>,
): Promise<void> {
  const started = performance.now();
  let log: Logger | undefined;
  const logger = () => {
    log ??= requestLogger(deps.log, header(req, "x-request-id"));
    return log;
  };
  let answer: Reply;
  try {
    const body = await readBody(req, route.maxBody);
    answer =
      body === null
        ? reply(413, {
            error: "invalid_request",
            error_description: `body larger than ${route.maxBody} bytes`,
          })
        : await route.handle({
            header: (name) => header(req, name),
            query: (name) => new URLSearchParams(search).get(name),
            body,
            log: logger,
          });
  } catch (error) {
    // A client that hangs up mid-body is no server error: at error level anyone could fill the
    // log (and page the operator) by hanging up.
    const gone = error instanceof BodyReadError;
    logger()[gone ? "debug" : "error"](
      { err: (error as Error).message, route: route.path },
      gone ? "client left before its request body was read" : "unhandled error",
    );
    answer = gone
      ? reply(400, { error: "invalid_request", error_description: "the request body could not be read" })
      : reply(500, { error: "server_error" });
  }
  const finish = () => {
    send(res, answer);
    deps.metrics.request(route.path, (performance.now() - started) / 1000);
  };
  if (answer.notBefore === undefined) return finish();
  // Only the reply waits: what decided it is garbage by the time it is sent.
  hold(answer.notBefore, () => {
    try {
      finish();
    } catch (error) {
      unwritten(deps.log, route, error as Error);
    }
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}

function send(res: ServerResponse, answer: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(answer.json);
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  };
  // The rest of an oversized body is not read: the connection cannot carry another request.
  if (answer.status === 413) headers.connection = "close";
  res.writeHead(answer.status, headers);
  res.end(body);
}

/**
 * The body as text, or null past `max` bytes: a declared Content-Length is checked before
 * anything is read (node:http enforces the framing), a chunked body is counted as it arrives.
 * Rejects with BodyReadError when the client goes away first.
 */
function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > max) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        done();
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(
        chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8"),
      );
    };
    const onError = (error: Error) => {
      done();
      reject(new BodyReadError(error.message, { cause: error }));
    };
    const onClose = () => {
      done();
      reject(new BodyReadError("the client closed the connection before the end of its body"));
    };
    req.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}
