import type { Hono } from "hono";
import type { Deps } from "../deps.js";
import { bearerMatcher } from "./secret-compare.js";

/**
 * Prometheus metrics (src/metrics/metrics.ts): for `Authorization: Bearer $MAILAUTH_ADMIN_TOKEN`,
 * or for anyone with MAILAUTH_METRICS_PUBLIC=1 (a scraper on a private network).
 */
export function registerMetrics(app: Hono, deps: Deps): void {
  const { adminToken, metricsPublic } = deps.config;
  const tokenMatches = bearerMatcher(adminToken);
  const { registry } = deps.metrics;

  app.get("/metrics", async (c) => {
    if (!metricsPublic && !tokenMatches(c.req.header("authorization"))) {
      return c.json(
        {
          error: "unauthorized",
          error_description: adminToken
            ? "send Authorization: Bearer $MAILAUTH_ADMIN_TOKEN"
            : "set MAILAUTH_ADMIN_TOKEN or MAILAUTH_METRICS_PUBLIC=1",
        },
        401,
      );
    }
    return c.body(await registry.metrics(), 200, { "Content-Type": registry.contentType });
  });
}
