import type { Clock } from "../clock.js";
import type { Db, Queryable } from "../db/database.js";
import type { Logger } from "../log.js";
import { parseCidr } from "../net/cidr.js";
import { PrefixMatcher } from "../net/prefix-matcher.js";
import {
  banDuration,
  type EscalationSettings,
  historyRetention,
  reviewDate,
} from "../reputation/escalation.js";
import {
  type AllowRow,
  addHits,
  type BanRow,
  deleteAllow,
  insertAllow,
  insertBan,
  liftBans,
  liveAllows,
  liveBans,
  offencesSince,
} from "./queries.js";

export const BANS_CHANNEL = "mailauth_bans";

/** An allowlist entry as the matcher holds it; built-in ones live only in memory. */
export interface AllowEntry {
  network: string;
  reason: string;
  builtin: boolean;
  expiresAt: Date | null;
}

export type BanRequest = {
  network: string;
  reason: string;
  source: "auto" | "manual";
  /** Manual bans give their length; auto bans climb the escalation ladder. */
  length?: { permanent: true } | { permanent: false; ms: number };
  /** The logger of the request that asked for the ban (its request id), made only when used. */
  log?: () => Logger;
};

export type BanOutcome =
  | { ok: true; ban: BanRow }
  | { ok: false; reason: "allowlisted"; allow: AllowEntry }
  | { ok: false; reason: "invalid"; detail: string }
  | { ok: false; reason: "already_banned"; ban: BanRow };

/** Live bans of one family, source and length (metrics). */
export interface ActiveBans {
  family: "ipv4" | "ipv6";
  source: "auto" | "manual";
  permanent: boolean;
  count: number;
}

/** Where an address stands right now, answered from memory. */
export interface Standing {
  ban: BanRow | null;
  allow: AllowEntry | null;
}

/**
 * Runs inside a change's transaction, after the change: the audit log's entry goes in with it, and
 * a failure to write it undoes the change (src/audit/changes.ts).
 */
export type WithinChange<T> = (tx: Queryable, changed: T) => Promise<void>;

export interface Blacklist {
  /** Microseconds: the in-memory matchers. The allowlist wins: an allowed address is never banned. */
  check(ip: string): Standing;
  /** Records a refused attempt against a ban (flushed to the database in batches). */
  hit(ban: BanRow): void;
  /** `within` also gets the ban of the same network this one replaced, if any. */
  ban(request: BanRequest, within?: WithinChange<{ ban: BanRow; replaced: BanRow[] }>): Promise<BanOutcome>;
  /** `within` runs only when something was lifted. */
  lift(network: string, reason: string, within?: WithinChange<BanRow[]>): Promise<BanRow[]>;
  /** Adds an allowlist entry and lifts every ban inside it at once. */
  allow(
    network: string,
    reason: string,
    expiresAt: Date | null,
    within?: WithinChange<{ entry: AllowRow; lifted: BanRow[] }>,
  ): Promise<{ entry: AllowRow; lifted: BanRow[] } | { error: string }>;
  /** `within` gets the removed entry. */
  unallow(
    network: string,
    within?: WithinChange<AllowRow>,
  ): Promise<"removed" | "missing" | "builtin" | "invalid">;
  allowEntries(): AllowEntry[];
  reload(): Promise<void>;
  stats(): { bans: number; allows: number; loadedAt: Date | null; listening: boolean };
  /** Live bans counted by family, source and permanence (metrics; walks every ban). */
  activeBans(): ActiveBans[];
  close(): Promise<void>;
}

export interface BlacklistDeps {
  db: Db;
  log: Logger;
  clock: Clock;
  escalation: EscalationSettings;
  /** Networks that can never be banned: loopback, this host's addresses, trusted proxies. */
  builtinAllow: { network: string; reason: string }[];
  random?: () => number;
  /** How often to reload in any case (expiries, a missed NOTIFY). */
  pollMs?: number;
  /** Told of every ban this instance adds (metrics). */
  onBan?: (ban: BanRow) => void;
}

/**
 * The blacklist: bans and allowlist persisted in the database, answered from in-memory prefix
 * matchers that every instance keeps current through NOTIFY (within a second), with polling as
 * a backstop. Escalation counts earlier bans of the same or overlapping networks in the kept
 * history (docs/blacklist.md).
 */
export async function createBlacklist(deps: BlacklistDeps): Promise<Blacklist> {
  const random = deps.random ?? Math.random;
  let bans = new PrefixMatcher<BanRow>();
  let allows = new PrefixMatcher<AllowEntry>();
  let banCount = 0;
  let allowCount = 0;
  let loadedAt: Date | null = null;
  let unlisten: (() => Promise<void>) | null = null;
  let closed = false;
  const pendingHits = new Map<number, { count: number; last: Date }>();
  const inFlight = new Map<string, Promise<BanOutcome>>();

  const builtin: AllowEntry[] = deps.builtinAllow.flatMap(({ network, reason }) => {
    const cidr = parseCidr(network);
    return cidr ? [{ network: cidr.text, reason, builtin: true, expiresAt: null }] : [];
  });

  async function reload(): Promise<void> {
    const now = deps.clock.now();
    const [banRows, allowRows] = await Promise.all([liveBans(deps.db, now), liveAllows(deps.db, now)]);
    const nextBans = new PrefixMatcher<BanRow>();
    for (const row of banRows) nextBans.add(row.network, row);
    const nextAllows = new PrefixMatcher<AllowEntry>();
    for (const entry of builtin) nextAllows.add(entry.network, entry);
    for (const row of allowRows) {
      nextAllows.add(row.network, {
        network: row.network,
        reason: row.reason,
        builtin: false,
        expiresAt: row.expires_at,
      });
    }
    bans = nextBans;
    allows = nextAllows;
    banCount = banRows.length;
    allowCount = builtin.length + allowRows.length;
    loadedAt = now;
  }

  // Many changes arrive together during an attack: reload once per burst.
  let reloadTimer: NodeJS.Timeout | null = null;
  const scheduleReload = () => {
    reloadTimer ??= setTimeout(() => {
      reloadTimer = null;
      reload().catch((error: Error) => deps.log.error({ err: error.message }, "cannot reload the blacklist"));
    }, 50);
  };

  const subscribe = async () => {
    try {
      unlisten = await deps.db.listen(BANS_CHANNEL, scheduleReload, () => {
        unlisten = null;
        if (!closed) setTimeout(subscribe, 1000).unref();
      });
      scheduleReload(); // changes made while not listening
    } catch (error) {
      deps.log.warn({ err: (error as Error).message }, "cannot LISTEN for blacklist changes; polling only");
      if (!closed) setTimeout(subscribe, 5000).unref();
    }
  };

  await reload();
  await subscribe();
  const poll = setInterval(scheduleReload, deps.pollMs ?? 30_000);
  poll.unref();
  const flushTimer = setInterval(() => {
    flushHits().catch((error: Error) => deps.log.warn({ err: error.message }, "cannot record ban hits"));
  }, 5000);
  flushTimer.unref();

  async function flushHits(): Promise<void> {
    if (pendingHits.size === 0) return;
    const batch = [...pendingHits.entries()].map(([id, h]) => ({ id, ...h }));
    pendingHits.clear();
    await addHits(deps.db, batch);
  }

  function liveBanAt(ip: string, now: Date): BanRow | null {
    for (const ban of bans.lookup(ip)) {
      if (ban.expires_at === null || ban.expires_at > now) return ban;
    }
    return null;
  }

  function liveAllowAt(ip: string, now: Date): AllowEntry | null {
    for (const entry of allows.lookup(ip)) {
      if (entry.expiresAt === null || entry.expiresAt > now) return entry;
    }
    return null;
  }

  async function doBan(
    request: BanRequest,
    network: string,
    within?: WithinChange<{ ban: BanRow; replaced: BanRow[] }>,
  ): Promise<BanOutcome> {
    const now = deps.clock.now();
    const retention = historyRetention(deps.escalation);
    const prior = await offencesSince(deps.db, network, new Date(now.getTime() - retention));
    const length = request.length ?? banDuration(prior, deps.escalation, random);
    const row = await deps.db.transaction(async (tx) => {
      const inserted = await insertBan(tx, {
        network,
        reason: request.reason,
        source: request.source,
        level: prior + 1,
        now,
        expiresAt: length.permanent ? null : new Date(now.getTime() + length.ms),
        reviewAt: length.permanent ? reviewDate(now, deps.escalation) : null,
      });
      await within?.(tx, inserted);
      return inserted.ban;
    });
    // Effective here at once; other instances follow on the NOTIFY.
    bans.add(row.network, row);
    banCount++;
    deps.onBan?.(row);
    (request.log?.() ?? deps.log).warn(
      {
        network: row.network,
        reason: row.reason,
        source: row.source,
        ban_level: row.level,
        expires_at: row.expires_at,
      },
      "banned",
    );
    return { ok: true, ban: row };
  }

  return {
    check(ip) {
      const now = deps.clock.now();
      const allow = liveAllowAt(ip, now);
      return { allow, ban: allow ? null : liveBanAt(ip, now) };
    },
    hit(ban) {
      const now = deps.clock.now();
      const entry = pendingHits.get(ban.id);
      if (entry) {
        entry.count++;
        entry.last = now;
      } else pendingHits.set(ban.id, { count: 1, last: now });
    },
    async ban(request, within) {
      const cidr = parseCidr(request.network);
      if (!cidr)
        return { ok: false, reason: "invalid", detail: `${request.network} is not an address or network` };
      const network = cidr.text;
      const now = deps.clock.now();
      // The allowlist wins; an allowlisted range overlapping a wider ban is carved out at export.
      const allow = liveAllowAt(network.split("/")[0] ?? "", now);
      if (allow && (parseCidr(allow.network)?.prefix ?? 129) <= cidr.prefix) {
        return { ok: false, reason: "allowlisted", allow };
      }
      const current = bans.get(network);
      if (request.source === "auto" && current && (current.expires_at === null || current.expires_at > now)) {
        return { ok: false, reason: "already_banned", ban: current };
      }
      // Concurrent requests from one bot all reach the verdict: only the first bans.
      const running = inFlight.get(network);
      if (running && request.source === "auto") return running;
      const work = doBan(request, network, within).finally(() => inFlight.delete(network));
      inFlight.set(network, work);
      return work;
    },
    async lift(network, reason, within) {
      const cidr = parseCidr(network);
      if (!cidr) return [];
      const lifted = await deps.db.transaction(async (tx) => {
        const rows = await liftBans(tx, cidr.text, reason, deps.clock.now());
        if (rows.length > 0) await within?.(tx, rows);
        return rows;
      });
      for (const row of lifted) bans.remove(row.network);
      return lifted;
    },
    async allow(network, reason, expiresAt, within) {
      const cidr = parseCidr(network);
      if (!cidr) return { error: `${network} is not an address or network` };
      const now = deps.clock.now();
      const { entry, lifted } = await deps.db.transaction(async (tx) => {
        const added = {
          entry: await insertAllow(tx, cidr.text, reason, expiresAt),
          lifted: await liftBans(tx, cidr.text, `allowlisted: ${reason}`, now),
        };
        await within?.(tx, added);
        return added;
      });
      allows.add(entry.network, { network: entry.network, reason, builtin: false, expiresAt });
      for (const row of lifted) bans.remove(row.network);
      return { entry, lifted };
    },
    async unallow(network, within) {
      const cidr = parseCidr(network);
      if (!cidr) return "invalid";
      if (builtin.some((b) => b.network === cidr.text)) return "builtin";
      const removed = await deps.db.transaction(async (tx) => {
        const [entry] = await deleteAllow(tx, cidr.text);
        if (entry) await within?.(tx, entry);
        return entry;
      });
      if (!removed) return "missing";
      allows.remove(cidr.text);
      // A built-in entry of the same range would have been replaced in the matcher: restore it.
      for (const entry of builtin) allows.add(entry.network, entry);
      return "removed";
    },
    allowEntries() {
      return [...builtin];
    },
    reload,
    stats: () => ({ bans: banCount, allows: allowCount, loadedAt, listening: unlisten !== null }),
    activeBans() {
      const now = deps.clock.now();
      const counts = new Map<string, ActiveBans>();
      for (const [network, ban] of bans.entries()) {
        if (ban.expires_at !== null && ban.expires_at <= now) continue;
        const family = network.includes(":") ? "ipv6" : "ipv4";
        const permanent = ban.expires_at === null;
        const key = `${family} ${ban.source} ${permanent}`;
        const entry = counts.get(key);
        if (entry) entry.count++;
        else counts.set(key, { family, source: ban.source, permanent, count: 1 });
      }
      return [...counts.values()];
    },
    async close() {
      closed = true;
      clearInterval(poll);
      clearInterval(flushTimer);
      if (reloadTimer) clearTimeout(reloadTimer);
      await Promise.allSettled([...inFlight.values()]);
      await flushHits().catch(() => {});
      await unlisten?.();
    },
  };
}
