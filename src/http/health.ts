import type { Hono } from "hono";
import { isCurrent } from "../db/migrate.js";
import type { Deps } from "../deps.js";

/** `/healthz`: the process answers. `/readyz`: the database answers and its schema is current. */
export function registerHealth(app: Hono, deps: Deps): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      if (!(await isCurrent(deps.db, deps.migrations))) {
        return c.json({ status: "not ready", reason: "database migrations are not current" }, 503);
      }
      return c.json({ status: "ready" });
    } catch (error) {
      return c.json(
        { status: "not ready", reason: `database unreachable: ${(error as Error).message}` },
        503,
      );
    }
  });
}
