import type { Hono } from "hono";
import { listAudit } from "../../audit/audit.js";
import type { Deps } from "../../deps.js";
import { listEvents } from "../../events/queries.js";
import { normalizeIp } from "../../net/remote-address.js";
import { handle, invalid, queryInt, queryText, queryTime } from "./reply.js";

const MAX_PAGE = 1000;
const MAX_ID = Number.MAX_SAFE_INTEGER;

/** /events (login attempts) and /audit (changes), newest first, paged by an id cursor. */
export function registerEvents(app: Hono, deps: Deps): void {
  app.get(
    "/events",
    handle(async (c) => {
      const limit = queryInt(c, "limit", 100, 1, MAX_PAGE) as number;
      const ipRaw = c.req.query("ip");
      const ip = ipRaw ? normalizeIp(ipRaw) : null;
      if (ipRaw && !ip) throw invalid(`ip: ${ipRaw} is not an address`);
      const events = await listEvents(deps.db, {
        ip,
        login: queryText(c, "login")?.toLowerCase() ?? null,
        outcome: queryText(c, "outcome"),
        since: queryTime(c, "since"),
        until: queryTime(c, "until"),
        beforeId: queryInt(c, "cursor", null, 1, MAX_ID),
        limit,
      });
      const last = events.at(-1);
      return c.json({ events, next_cursor: events.length === limit && last ? String(last.id) : null });
    }),
  );

  app.get(
    "/audit",
    handle(async (c) => {
      const limit = queryInt(c, "limit", 100, 1, MAX_PAGE) as number;
      const entries = await listAudit(deps.db, {
        limit,
        beforeId: queryInt(c, "cursor", null, 1, MAX_ID),
        action: queryText(c, "action"),
        target: queryText(c, "target"),
        actor: queryText(c, "actor"),
        since: queryTime(c, "since"),
        until: queryTime(c, "until"),
      });
      const last = entries.at(-1);
      return c.json({ entries, next_cursor: entries.length === limit && last ? String(last.id) : null });
    }),
  );
}
