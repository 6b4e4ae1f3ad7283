import { Hono } from "hono";
import { ChangeNotMade } from "../../audit/audit.js";
import type { Deps } from "../../deps.js";
import { BodyReadError } from "../read-body.js";
import { requestLog } from "../request-context.js";
import { bearerMatcher } from "../secret-compare.js";
import { registerBans } from "./bans.js";
import { registerDomains } from "./domains.js";
import { registerEvents } from "./events.js";
import { openApiDocument } from "./openapi.js";
import { registerUsers } from "./users.js";

export const ADMIN_PREFIX = "/admin/v1";

/**
 * The admin API's routes, relative to /admin/v1, behind `Authorization: Bearer
 * $MAILAUTH_ADMIN_TOKEN` compared in constant time; 401 for everything while no token is set.
 */
export function createAdminApp(deps: Deps): Hono {
  const admin = new Hono();
  const token = deps.config.adminToken;
  const matches = bearerMatcher(token);
  admin.use("*", async (c, next) => {
    if (!matches(c.req.header("authorization"))) {
      c.header("www-authenticate", 'Bearer realm="mailauth admin"');
      return c.json(
        {
          error: "unauthorized",
          error_description: token
            ? "give Authorization: Bearer $MAILAUTH_ADMIN_TOKEN"
            : "the admin API is off: MAILAUTH_ADMIN_TOKEN is not set",
        },
        401,
      );
    }
    c.header("cache-control", "no-store");
    await next();
  });
  // Anything else that fails is the backend's trouble (the database, the hash pool): a temporary
  // failure, and a change it interrupted was not made (src/audit/changes.ts).
  admin.onError((error, c) => {
    if (error instanceof BodyReadError) throw error; // the application's 400 (src/app.ts)
    const log = requestLog(c, deps.log);
    log.error({ err: error.message, route: c.req.routePath }, "admin request failed");
    return c.json(
      {
        error: "temporarily_unavailable",
        error_description:
          error instanceof ChangeNotMade ? error.message : "the request could not be served; try again",
      },
      503,
    );
  });
  admin.get("/openapi.json", (c) => c.json(openApiDocument()));
  registerUsers(admin, deps);
  registerDomains(admin, deps);
  registerBans(admin, deps);
  registerEvents(admin, deps);
  return admin;
}

/** Mounts the admin API under /admin/v1. */
export function registerAdmin(app: Hono, deps: Deps): void {
  app.route(ADMIN_PREFIX, createAdminApp(deps));
}
