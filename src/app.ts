import { Hono } from "hono";
import type { Deps } from "./deps.js";
import { registerAdmin } from "./http/admin/index.js";
import { registerDovecotPolicy } from "./http/dovecot-policy.js";
import { registerDovecotToken } from "./http/dovecot-token.js";
import { registerFirewall } from "./http/firewall.js";
import { registerHealth } from "./http/health.js";
import { registerMetrics } from "./http/metrics.js";
import { BodyReadError } from "./http/read-body.js";
import { requestLog, requestTiming } from "./http/request-context.js";

/** Builds the HTTP application without touching the runtime; tests call `app.request()` on it. */
export function createApp(deps: Deps): Hono {
  const app = new Hono();
  app.use(requestTiming(deps.metrics));
  registerHealth(app, deps);
  registerDovecotToken(app, deps);
  registerDovecotPolicy(app, deps);
  registerFirewall(app, deps);
  registerAdmin(app, deps);
  registerMetrics(app, deps);
  app.notFound((c) =>
    c.json({ error: "not_found", error_description: `no route ${c.req.method} ${c.req.path}` }, 404),
  );
  app.onError((error, c) => {
    // A client that disconnects mid-body is not a server error: at error level, anyone could
    // fill the log (and page the operator) by hanging up.
    if (error instanceof BodyReadError) {
      requestLog(c, deps.log).debug(
        { err: error.message, route: c.req.path },
        "client left before its request body was read",
      );
      return c.json(
        { error: "invalid_request", error_description: "the request body could not be read" },
        400,
      );
    }
    requestLog(c, deps.log).error({ err: error.message, route: c.req.path }, "unhandled error");
    return c.json({ error: "server_error" }, 500);
  });
  return app;
}
