import { builtinAllow } from "../blacklist/builtin-allow.js";
import { systemClock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { Blocklist } from "../firewall/blocklist.js";
import type { FirewallSettings } from "../firewall/config.js";
import { exportBlocklist } from "../firewall/export.js";
import { nftRunner } from "../firewall/nft.js";
import { renderScript } from "../firewall/render.js";
import { fetchBlocklist } from "../firewall/source-http.js";
import { type SyncOutcome, syncFirewall } from "../firewall/sync.js";
import { DatabaseBusyError, openDatabase } from "../service.js";
import type { Args, Command, Output } from "./command.js";

// Both commands are standalone: `sync` runs as root from cron or a timer, often on a host with
// no database at all (--from), and must never be handed to the server through its control socket.

const FROM_OPTION = { from: { type: "string" } } as const;
const MAX_LISTED = 50;

/** The bans from another mailauth's export (--from URL) or from the database; plus our own allowlist. */
async function readBlocklist(config: Config, settings: FirewallSettings, args: Args): Promise<Blocklist> {
  const allow = builtinAllow(config.trustedNetworks).map((entry) => entry.network);
  const from = args.values.from;
  if (typeof from === "string") {
    const list = await fetchBlocklist(from, settings.token);
    return { bans: list.bans, allow: [...list.allow, ...allow] };
  }
  const { loadBlocklist } = await import("../firewall/source.js");
  let opened: Awaited<ReturnType<typeof openDatabase>>;
  try {
    opened = await openDatabase(config);
  } catch (error) {
    if (error instanceof DatabaseBusyError) {
      throw new Error(
        `${error.message}; read the bans from it instead: --from http://${config.listen.host}:${config.listen.port}`,
      );
    }
    throw error;
  }
  try {
    return await loadBlocklist(opened.db, systemClock.now(), allow);
  } finally {
    await opened.release();
  }
}

async function printScript(
  config: Config,
  settings: FirewallSettings,
  args: Args,
  out: Output,
): Promise<void> {
  const now = systemClock.now();
  const exported = exportBlocklist(await readBlocklist(config, settings, args), now);
  for (const bad of exported.invalid) out.warn(`mailauth: ignored ${bad}: not an address`);
  out.line(renderScript(settings.nft, exported, now).trimEnd());
}

const render: Command = {
  path: ["firewall", "render"],
  summary: "print the nft script that updates the blacklist table (for nft -f)",
  usage: "firewall render [--from URL]",
  details:
    "Reads the bans from the database, or from another mailauth's export with --from (its base URL or\nthe full /firewall/blacklist.json URL; MAILAUTH_FIREWALL_TOKEN is sent as the bearer token).",
  options: FROM_OPTION,
  positionals: { min: 0, max: 0 },
  async standalone(config, _log, { args, out }) {
    await printScript(config, config.firewall, args, out);
    return 0;
  },
};

const sync: Command = {
  path: ["firewall", "sync"],
  summary: "update the nftables blacklist to the current bans and verify it (run every minute)",
  usage: "firewall sync [--from URL] [--dry-run]",
  details: `Refuses a table of MAILAUTH_NFT_TABLE's name that is not mailauth's (marked by its comment).
Applies the script in one nft transaction, then checks with nft -j list set that the kernel
holds exactly the export; prints what was added and removed. On any failure it exits 1 and the
previous firewall state stays. --dry-run prints the script and applies nothing. A lock file in
MAILAUTH_FIREWALL_STATE_DIR stops two runs from overlapping; last-sync.json there records the last
good sync (one directory per table). --from URL reads another mailauth's export instead of the
database.`,
  options: { ...FROM_OPTION, "dry-run": { type: "boolean", default: false } },
  positionals: { min: 0, max: 0 },
  async standalone(config, _log, { args, out }) {
    const settings = config.firewall;
    if (args.values["dry-run"]) {
      await printScript(config, settings, args, out);
      return 0;
    }
    const outcome = await syncFirewall({
      run: nftRunner(settings.command),
      nft: settings.nft,
      stateDir: settings.stateDir,
      now: () => systemClock.now(),
      source: () => readBlocklist(config, settings, args),
    });
    report(outcome, settings, out);
    return outcome.ok ? 0 : 1;
  },
};

function report(outcome: SyncOutcome, settings: FirewallSettings, out: Output): void {
  for (const warning of outcome.warnings) out.warn(`mailauth: ${warning}`);
  if (!outcome.ok) {
    out.warn(`mailauth: firewall sync failed: ${outcome.reason}`);
    return;
  }
  const { family, table, set4, set6 } = settings.nft;
  out.line(
    `synced ${family} ${table}: ${outcome.v4} elements in ${set4}, ${outcome.v6} in ${set6}; ` +
      `added ${outcome.added.length}, removed ${outcome.removed.length}`,
  );
  for (const [sign, list] of [
    ["+", outcome.added],
    ["-", outcome.removed],
  ] as const) {
    for (const element of list.slice(0, MAX_LISTED)) out.line(`${sign} ${element}`);
    if (list.length > MAX_LISTED) out.line(`${sign} ... and ${list.length - MAX_LISTED} more`);
  }
}

export const firewallCommands: Command<never>[] = [render, sync] as Command<never>[];
