import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics/metrics.js";

declare module "hono" {
  interface ContextVariableMap {
    /** The request's child logger, carrying its request id; made on first use. */
    log: Logger;
    /** Set by `requestId()`: the id returned as X-Request-Id and logged as request_id. */
    requestId: string;
  }
}

// A proxy's id is kept only when it cannot smuggle anything into a log line.
const USABLE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Times the Hono application's requests by matched route (`c.req.routePath`: the raw URL would
 * make a label value per path scanned). Dovecot's endpoints are not behind it: they are timed
 * by src/http/plain-route.ts under the same metric.
 */
export function requestTiming(metrics: Pick<Metrics, "request">): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      metrics.request(c.req.routePath, (performance.now() - start) / 1000);
    }
  };
}

/** The caller's X-Request-Id when it is a short token (it cannot smuggle anything), else a fresh one. */
export function usableRequestId(incoming: string | undefined): string {
  return incoming && USABLE_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Gives each request of the Hono application (admin API, metrics, firewall exports, health) its
 * id, returned as X-Request-Id so a client can quote it and an operator find its log lines.
 */
export function requestId(): MiddlewareHandler {
  return async (c, next) => {
    const id = usableRequestId(c.req.header("x-request-id"));
    c.set("requestId", id);
    await next();
    try {
      c.res.headers.set("x-request-id", id);
    } catch {
      // A Response with immutable headers: copied once, on this rare path.
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("x-request-id", id);
    }
  };
}

/**
 * The request's logger: `log` with its `request_id` (see `requestId()`). Made only when a request
 * logs, so the requests that do not (nearly all) pay nothing for it.
 */
export function requestLog(c: Context, log: Logger): Logger {
  let child = c.get("log");
  if (!child) {
    child = log.child({ request_id: c.get("requestId") ?? usableRequestId(c.req.header("x-request-id")) });
    c.set("log", child);
  }
  return child;
}

/** `log` with a `request_id`: the caller's X-Request-Id when it is a short token, else a fresh one. */
export function requestLogger(log: Logger, incoming: string | undefined): Logger {
  return log.child({ request_id: usableRequestId(incoming) });
}
