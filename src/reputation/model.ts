import { LRUCache } from "lru-cache";
import { reputationKey } from "../net/cidr.js";
import type { Evidence } from "./evidence.js";
import { type KeyState, newKeyState, recordFailure, recordSuccess } from "./key-state.js";
import { DEFAULT_REPUTATION, type ReputationSettings } from "./settings.js";
import { type Standing, standingOf } from "./standing.js";
import {
  badReputation,
  closestRule,
  evidenceText,
  type Verdict,
  verdictOf,
  weakPasswordBanReason,
} from "./verdict.js";

export type { Evidence, Failure, Outcome } from "./evidence.js";
export { passwordTag, sprayTag } from "./evidence.js";
export { DEFAULT_REPUTATION, type ReputationSettings, reputationSettingsProblems } from "./settings.js";
export type { Standing } from "./standing.js";
export type { Verdict } from "./verdict.js";

/** The numbers behind an IP's standing, for `mailauth ip show`. */
export interface Explanation {
  ip: string;
  /** The address or network reputation is kept under; null when `ip` is not an address. */
  key: string | null;
  tracked: boolean;
  firstSeen: Date | null;
  lastSeen: Date | null;
  standing: Standing;
  /** Each threshold after tolerance. */
  limits: { badReputationScore: number; banScore: number; dictionaryPasswords: number; sprayLogins: number };
  verdict: Verdict;
  /** The same in sentences. */
  why: string[];
}

const ALLOW: Verdict = Object.freeze({ action: "allow" });

/**
 * The reputation of every recently seen IP (IPv6 per /64), built from login evidence, and the
 * verdict it calls for. Pure apart from its own state: time comes with each call, nothing is
 * read or written elsewhere. Memory is bounded: at most `maxKeys` keys, the least recently seen
 * forgotten first, and bounded sets inside each.
 */
export class ReputationBook {
  // lru-cache keeps recency in a linked list: a Map re-inserted on every touch leaves holes
  // that finding its oldest entry must skip, which made observe() 17 µs at 50,000 keys.
  private readonly keys: LRUCache<string, KeyState>;

  constructor(readonly settings: ReputationSettings = DEFAULT_REPUTATION) {
    this.keys = new LRUCache({ max: settings.maxKeys });
  }

  /** Records one login attempt and returns the verdict for the IP right after it. */
  observe(e: Evidence): Verdict {
    const key = this.keyOf(e.ip);
    const now = e.at.getTime();
    if (key === null) return ALLOW;
    // Dovecot refused it on our word before any password was checked: it says nothing new.
    if (e.outcome === "policy_reject") return this.judgeKey(key, now);
    const state = this.stateFor(key, now);
    if (e.outcome === "ok") {
      recordSuccess(state, e.login, now, this.settings);
      return verdictOf(standingOf(state, now, this.settings), this.settings);
    }
    const before = e.outcome === "weak_password" ? standingOf(state, now, this.settings) : null;
    const counted = recordFailure(
      state,
      { outcome: e.outcome, login: e.login, passwordTag: e.passwordTag, sprayTag: e.sprayTag },
      now,
      this.settings,
    );
    // The FAQ's rule. Only a new weak password counts: a phone retrying its one weak password
    // must not be banned by its own earlier tries.
    if (before && counted && badReputation(before.score, before.tolerance, this.settings)) {
      return { action: "ban", reason: weakPasswordBanReason(before.score) };
    }
    return verdictOf(standingOf(state, now, this.settings), this.settings);
  }

  /** The verdict for an IP's next login without new evidence (the policy server's `allow`). */
  judge(ip: string, now: Date): Verdict {
    const key = this.keyOf(ip);
    return key === null ? ALLOW : this.judgeKey(key, now.getTime());
  }

  /** The numbers behind `judge`, and the same in sentences. */
  explain(ip: string, now: Date): Explanation {
    const s = this.settings;
    const key = this.keyOf(ip);
    const state = key === null ? undefined : this.keys.peek(key);
    const standing = standingOf(state, now.getTime(), s);
    const t = standing.tolerance;
    const limits = {
      badReputationScore: s.badReputationScore * t,
      banScore: s.banScore * t,
      dictionaryPasswords: s.dictionaryPasswords * t,
      sprayLogins: s.sprayLogins * t,
    };
    const verdict = verdictOf(standing, s);
    return {
      ip,
      key,
      tracked: state !== undefined,
      firstSeen: state ? new Date(state.firstSeen) : null,
      lastSeen: state ? new Date(state.lastSeen) : null,
      standing,
      limits,
      verdict,
      why: sentences(standing, limits, verdict, s),
    };
  }

  /** Forgets keys with nothing seen for `memoryMs`; returns how many. Call now and then. */
  prune(now: Date): number {
    const oldest = now.getTime() - this.settings.memoryMs;
    const stale = [...this.keys.entries()].filter(([, state]) => state.lastSeen < oldest).map(([key]) => key);
    for (const key of stale) this.keys.delete(key);
    return stale.length;
  }

  /** How many keys are tracked. */
  get size(): number {
    return this.keys.size;
  }

  private keyOf(ip: string): string | null {
    return reputationKey(ip, this.settings.v6Prefix, this.settings.v4Prefix);
  }

  private judgeKey(key: string, now: number): Verdict {
    const state = this.keys.peek(key);
    return state ? verdictOf(standingOf(state, now, this.settings), this.settings) : ALLOW;
  }

  /** The key's state, made the most recently used; the least recently used goes when full. */
  private stateFor(key: string, now: number): KeyState {
    const known = this.keys.get(key);
    if (known) return known;
    const state = newKeyState(now, this.settings);
    this.keys.set(key, state);
    return state;
  }
}

function sentences(
  standing: Standing,
  limits: Explanation["limits"],
  verdict: Verdict,
  s: ReputationSettings,
): string[] {
  const round = (n: number): string => (Math.round(n * 10) / 10).toString();
  const halfLife = round(s.failureHalfLifeMs / 3_600_000);
  const why = [`recent failures (halving every ${halfLife} h): ${evidenceText(standing)}`];
  if (standing.successes > 0.05) {
    why.push(
      `tolerance ×${round(standing.tolerance)} from ${round(standing.successes)} recent successful logins`,
    );
  }
  why.push(`score ${round(standing.score)}; a ban at ${round(limits.banScore)}`);
  const worst = standing.worstLogin;
  if (worst) {
    why.push(
      `most passwords on one login: ${round(worst.passwords)} (${worst.login}); a ban at ${round(limits.dictionaryPasswords)}`,
    );
  }
  why.push(`failing logins: ${round(standing.failedLogins)}; a ban at ${round(limits.sprayLogins)}`);
  why.push(
    badReputation(standing.score, standing.tolerance, s)
      ? `a new weak password from here would be banned at once (score at least ${round(limits.badReputationScore)})`
      : `a new weak password from here would be refused, not banned (score below ${round(limits.badReputationScore)})`,
  );
  const [rule, pressure] = closestRule(standing);
  if (verdict.action === "ban") why.push(`banned: ${verdict.reason}`);
  else if (verdict.action === "tarpit") {
    why.push(`delayed ${verdict.delaySeconds} s: ${rule} rule at ${Math.round(pressure * 100)} % of a ban`);
  } else why.push(`allowed: closest rule (${rule}) at ${Math.round(pressure * 100)} % of a ban`);
  return why;
}
