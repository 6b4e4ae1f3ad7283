import type { Hono } from "hono";
import { auditedAllow, auditedBan, auditedLift, auditedUnallow } from "../../audit/changes.js";
import { listBans, liveAllows } from "../../blacklist/queries.js";
import { banView, ipView } from "../../blacklist/views.js";
import type { Deps } from "../../deps.js";
import { parseCidr } from "../../net/cidr.js";
import { PERMANENT, parseDuration } from "../../reputation/escalation.js";
import { requestLog } from "../request-context.js";
import {
  API_ACTOR,
  conflict,
  handle,
  invalid,
  type Json,
  jsonBody,
  notFound,
  onlyFields,
  optBool,
  optString,
  param,
  queryText,
  reqString,
} from "./reply.js";

function cidrOf(raw: string, key = "network"): string {
  const cidr = parseCidr(raw);
  if (!cidr) throw invalid(`${key}: ${raw} is not an address or network (CIDR)`);
  return cidr.text;
}

/** `for` as milliseconds, PERMANENT, or null when absent. */
function durationOf(body: Json): number | null {
  const text = optString(body, "for", 20);
  if (text === null) return null;
  const parsed = parseDuration(text);
  if (!parsed.ok) throw invalid(`for: ${parsed.error}`);
  return parsed.ms;
}

/** /bans, /allowlist and /ip/:ip: the blacklist (docs/blacklist.md). */
export function registerBans(app: Hono, deps: Deps): void {
  app.get(
    "/bans",
    handle(async (c) => {
      const all = c.req.query("all");
      if (all !== undefined && all !== "true" && all !== "false") throw invalid("all must be true or false");
      const bans = await listBans(deps.db, deps.clock.now(), all === "true");
      return c.json({ bans: bans.map(banView) });
    }),
  );

  app.post(
    "/bans",
    handle(async (c) => {
      const body = await jsonBody(c);
      onlyFields(body, ["network", "for", "permanent", "reason"]);
      const network = cidrOf(reqString(body, "network", 64));
      const reason = reqString(body, "reason", 500).trim();
      const ms = durationOf(body);
      const permanent = optBool(body, "permanent");
      if ((ms === null) === !permanent) throw invalid('give either "for" (e.g. "7d") or "permanent": true');
      const length =
        ms === null || ms === PERMANENT ? { permanent: true as const } : { permanent: false as const, ms };
      const result = await auditedBan(deps.blacklist, API_ACTOR, {
        network,
        reason,
        source: "manual",
        length,
        log: () => requestLog(c, deps.log),
      });
      if (!result.ok) {
        if (result.reason === "allowlisted")
          throw conflict(`${network} is allowlisted (${result.allow.reason}); remove that entry first`);
        if (result.reason === "invalid") throw invalid(result.detail);
        throw conflict(`${network} is already banned`);
      }
      return c.json(banView(result.ban), 201);
    }),
  );

  app.delete(
    "/bans/:network",
    handle(async (c) => {
      const network = cidrOf(param(c, "network"));
      const reason = queryText(c, "reason") ?? "lifted through the admin API";
      const lifted = await auditedLift(deps.blacklist, API_ACTOR, network, reason.slice(0, 500));
      if (lifted.length === 0) throw notFound(`no live ban inside ${network}`);
      return c.json({ lifted: lifted.map(banView) });
    }),
  );

  app.get(
    "/allowlist",
    handle(async (c) => {
      const builtin = deps.blacklist
        .allowEntries()
        .map((a) => ({ network: a.network, reason: a.reason, builtin: true, expires_at: null }));
      const stored = (await liveAllows(deps.db, deps.clock.now())).map((a) => ({
        network: a.network,
        reason: a.reason,
        builtin: false,
        expires_at: a.expires_at?.toISOString() ?? null,
      }));
      return c.json({ entries: [...builtin, ...stored] });
    }),
  );

  app.post(
    "/allowlist",
    handle(async (c) => {
      const body = await jsonBody(c);
      onlyFields(body, ["network", "for", "reason"]);
      const network = cidrOf(reqString(body, "network", 64));
      const reason = reqString(body, "reason", 500).trim();
      const ms = durationOf(body);
      const expires = ms === null || ms === PERMANENT ? null : new Date(deps.clock.now().getTime() + ms);
      const result = await auditedAllow(deps.blacklist, API_ACTOR, network, reason, expires);
      if ("error" in result) throw invalid(result.error);
      return c.json(
        {
          network: result.entry.network,
          reason: result.entry.reason,
          builtin: false,
          expires_at: result.entry.expires_at?.toISOString() ?? null,
          lifted: result.lifted.map(banView),
        },
        201,
      );
    }),
  );

  app.delete(
    "/allowlist/:network",
    handle(async (c) => {
      const network = cidrOf(param(c, "network"));
      const result = await auditedUnallow(deps.blacklist, API_ACTOR, network);
      if (result === "builtin")
        throw conflict(`${network} is built in (loopback, this host or MAILAUTH_TRUSTED_NETWORKS)`);
      if (result === "invalid") throw invalid(`${network} is not an address or network (CIDR)`);
      if (result !== "removed") throw notFound(`no allowlist entry ${network}`);
      return c.json({ deleted: network });
    }),
  );

  app.get(
    "/ip/:ip",
    handle(async (c) => {
      const ip = param(c, "ip");
      const shown = await ipView(deps, ip);
      if (!shown) throw invalid(`${ip} is not an address`);
      return c.json(shown.view);
    }),
  );
}
