import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics/metrics.js";

declare module "hono" {
  interface ContextVariableMap {
    /** The request's child logger, carrying its request id; made on first use. */
    log: Logger;
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

/**
 * The request's logger for its warn and error lines: `log` with a `request_id`, the caller's
 * X-Request-Id when it is a short token, else a fresh one. Made only when a request logs, so
 * the requests that do not (nearly all) pay nothing for it.
 */
export function requestLog(c: Context, log: Logger): Logger {
  let child = c.get("log");
  if (!child) {
    child = requestLogger(log, c.req.header("x-request-id"));
    c.set("log", child);
  }
  return child;
}

/** `log` with a `request_id`: the caller's X-Request-Id when it is a short token, else a fresh one. */
export function requestLogger(log: Logger, incoming: string | undefined): Logger {
  const id = incoming && USABLE_ID.test(incoming) ? incoming : randomUUID();
  return log.child({ request_id: id });
}
