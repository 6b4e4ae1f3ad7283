import { randomBytes } from "node:crypto";
import type { UserdbFields } from "../accounts/queries.js";
import type { Background } from "../background.js";
import type { Blacklist } from "../blacklist/blacklist.js";
import type { Clock } from "../clock.js";
import type { EventRecorder } from "../events/recorder.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics/metrics.js";
import { reputationKey } from "../net/cidr.js";
import { passwordTag, type ReputationBook, sprayTag } from "../reputation/model.js";
import { authenticate, type LoginDeps } from "./login.js";
import type { RecentAttempts } from "./recent-attempts.js";

export interface AttemptDeps extends LoginDeps {
  blacklist: Blacklist;
  reputation: ReputationBook;
  events: EventRecorder;
  background: Background;
  clock: Clock;
  log: Logger;
  /** Keys the password tags reputation keeps; random per process, never stored. */
  tagKey: Buffer;
  recentAttempts: RecentAttempts;
  metrics: Pick<Metrics, "login">;
}

export interface Attempt {
  login: string;
  password: string;
  /** The client's address from Dovecot's headers; null when Dovecot did not send it. */
  ip: string | null;
  service: string;
  /** The request's logger (its request id) for the lines this attempt writes; made only then. */
  log?: () => Logger;
}

/** `notBefore`: hold the reply until this performance.now() instant (see `authenticate`). */
export type AttemptResult = { ok: true; fields: UserdbFields } | { ok: false; notBefore?: number };

/** A fresh per-process key for password tags. */
export const newTagKey = (): Buffer => randomBytes(32);

/**
 * One login attempt from start to end: a banned address is refused before anything else (no
 * hash work), then the password is judged and checked, the attempt is recorded, and its
 * evidence feeds the address's reputation, which may ban it. Throws only on infrastructure
 * trouble, after recording it.
 */
export async function handleAttempt(deps: AttemptDeps, attempt: Attempt): Promise<AttemptResult> {
  const { login, password, ip, service } = attempt;
  const at = deps.clock.now();
  // Every attempt is counted; `store: false` skips only the event row.
  const record = (outcome: string, reason: string | null = null, store = true) => {
    deps.metrics.login(service, outcome);
    if (store) deps.events.record({ at, ip, login: login.slice(0, 254), service, outcome, reason });
  };

  const standing = ip ? deps.blacklist.check(ip) : { ban: null, allow: null };
  if (standing.ban) {
    deps.blacklist.hit(standing.ban);
    // Every refusal counts on the ban (hits, last_seen); as events only the first per address
    // and minute, so a botnet hammering a banned range cannot flood the database while it is
    // under attack (measured: per-refusal rows cost a third of the refusal throughput).
    record("banned", standing.ban.network, ip !== null && deps.recentAttempts.firstRefusal(ip, at));
    return { ok: false };
  }

  let outcome: Awaited<ReturnType<typeof authenticate>>;
  try {
    outcome = await authenticate(deps, login, password, attempt.log);
  } catch (error) {
    record("temporary_failure", (error as Error).name);
    throw error;
  }
  record(outcome.ok ? "ok" : outcome.reason, outcome.ok ? null : (outcome.detail ?? null));

  // Allowlisted addresses (loopback, this host, trusted proxies) never build a bad reputation.
  if (ip && !standing.allow) {
    deps.recentAttempts.mark(ip, login, at);
    const failed = !outcome.ok;
    const verdict = deps.reputation.observe({
      at,
      ip,
      login,
      outcome: outcome.ok ? "ok" : outcome.reason === "invalid_hash" ? "wrong_password" : outcome.reason,
      passwordTag: failed ? passwordTag(deps.tagKey, login, password) : undefined,
      sprayTag: failed ? sprayTag(deps.tagKey, password) : undefined,
    });
    if (verdict.action === "ban") void banInBackground(deps, ip, verdict.reason, attempt.log);
  }
  return outcome.ok ? { ok: true, fields: outcome.fields } : { ok: false, notBefore: outcome.notBefore };
}

/**
 * Bans the address's reputation network (IPv6: its /64) without holding up the reply. Resolves
 * to true once a ban of it is committed (this one or one already in force), false when it could
 * not be stored; a failure is logged by the background runner.
 */
export function banInBackground(
  deps: Pick<AttemptDeps, "background" | "blacklist" | "reputation">,
  ip: string,
  reason: string,
  log?: () => Logger,
): Promise<boolean> {
  const { v4Prefix, v6Prefix } = deps.reputation.settings;
  const key = reputationKey(ip, v6Prefix, v4Prefix);
  if (!key) return Promise.resolve(false);
  const stored = deps.blacklist.ban({ network: key, reason, source: "auto", log });
  deps.background.run("ban an address", () => stored);
  return stored.then(
    (outcome) => outcome.ok || outcome.reason === "already_banned",
    () => false,
  );
}
