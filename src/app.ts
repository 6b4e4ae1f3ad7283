import type { RequestListener } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import type { Deps } from "./deps.js";
import { registerAdmin } from "./http/admin/index.js";
import { dovecotPolicyRoute } from "./http/dovecot-policy.js";
import { dovecotTokenRoute } from "./http/dovecot-token.js";
import { registerFirewall } from "./http/firewall.js";
import { registerHealth } from "./http/health.js";
import { registerMetrics } from "./http/metrics.js";
import { withPlainRoutes } from "./http/plain-route.js";
import { BodyReadError } from "./http/read-body.js";
import { requestId, requestLog, requestTiming } from "./http/request-context.js";

/**
 * The service's request handler: Dovecot's two endpoints, called on every login, served on
 * node:http directly (src/http/plain-route.ts), everything else by the Hono application.
 */
export function createRequestListener(deps: Deps): RequestListener {
  return withPlainRoutes(
    [dovecotTokenRoute(deps), dovecotPolicyRoute(deps)],
    deps,
    getRequestListener(createApp(deps).fetch),
  );
}

/** The Hono application: health, firewall exports, admin API, metrics. */
export function createApp(deps: Deps): Hono {
  const app = new Hono();
  app.use(requestTiming(deps.metrics));
  app.use(requestId());
  registerHealth(app, deps);
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
