import type { Context, Hono } from "hono";
import { builtinAllow } from "../blacklist/builtin-allow.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { Db } from "../db/database.js";
import type { Blocklist } from "../firewall/blocklist.js";
import { exportBlocklist, exportJson, exportText, type FirewallExport } from "../firewall/export.js";
import { renderScript } from "../firewall/render.js";
import { loadBlocklist } from "../firewall/source.js";
import type { Logger } from "../log.js";
import { secretMatcher } from "./secret-compare.js";

/** What the routes need. */
export interface FirewallRouteDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  config: Pick<Config, "trustedNetworks" | "firewall">;
  /** Where the bans come from; the database unless a test gives a literal. */
  blocklist?: (now: Date) => Promise<Blocklist>;
}

/**
 * The blacklist for firewalls, behind `Authorization: Bearer $MAILAUTH_FIREWALL_TOKEN` (401 for
 * anything else, and for everyone while no token is set):
 *   /firewall/blacklist.nft   the nft script `mailauth firewall sync` applies
 *   /firewall/blacklist.txt   one CIDR per line (expiries lost), for other firewalls
 *   /firewall/blacklist.json  {generated_at, entries: [{network, expires_at}]}, read by sync --from
 */
export function registerFirewall(app: Hono, deps: FirewallRouteDeps): void {
  const token = deps.config.firewall.token;
  const matches = token ? secretMatcher(token) : () => false;
  const { nft } = deps.config.firewall;
  const allow = builtinAllow(deps.config.trustedNetworks).map((entry) => entry.network);
  const source = deps.blocklist ?? ((now: Date) => loadBlocklist(deps.db, now, allow));

  const serve = (format: (exported: FirewallExport, now: Date) => Response) => async (c: Context) => {
    const header = c.req.header("authorization") ?? "";
    const given = /^Bearer (.+)$/i.exec(header)?.[1] ?? "";
    if (!matches(given)) {
      c.header("www-authenticate", 'Bearer realm="mailauth firewall"');
      return c.json({ error: "unauthorized" }, 401);
    }
    const now = deps.clock.now();
    const exported = exportBlocklist(await source(now), now);
    if (exported.invalid.length > 0)
      deps.log.warn(
        { invalid: exported.invalid.slice(0, 10) },
        "firewall export skipped entries that are not addresses",
      );
    return format(exported, now);
  };
  const text = (body: string) =>
    new Response(body, {
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });

  app.get(
    "/firewall/blacklist.nft",
    serve((exported, now) => text(renderScript(nft, exported, now))),
  );
  app.get(
    "/firewall/blacklist.txt",
    serve((exported) => text(exportText(exported))),
  );
  app.get(
    "/firewall/blacklist.json",
    serve((exported, now) =>
      Response.json(exportJson(exported, now), { headers: { "cache-control": "no-store" } }),
    ),
  );
}
