import type { ReputationSettings } from "./settings.js";
import { reaches, type Standing } from "./standing.js";

/** What to do with the next login from an IP. */
export type Verdict =
  | { action: "allow" }
  | { action: "tarpit"; delaySeconds: number; reason: string }
  | { action: "ban"; reason: string };

type Rule = keyof Standing["pressure"];

/**
 * The verdict a standing calls for: a ban when a rule reaches its limit, a delay growing with the
 * closest rule's pressure past `tarpitFrom`, else allow. The weak-password rule is not here: it
 * depends on the attempt itself (see ReputationBook.observe).
 */
export function verdictOf(standing: Standing, s: ReputationSettings): Verdict {
  const [rule, pressure] = closestRule(standing);
  if (pressure >= 1) return { action: "ban", reason: banReason(rule, standing) };
  if (pressure < s.tarpitFrom || s.maxDelaySeconds === 0) return { action: "allow" };
  return {
    action: "tarpit",
    delaySeconds: tarpitDelay(pressure, s),
    reason: `suspicious: ${evidenceText(standing)}`,
  };
}

/**
 * Seconds of delay at a pressure between `tarpitFrom` and 1: from 1 s up to `maxDelaySeconds`
 * just below a ban. Dovecot holds the login itself for that long, after our reply, so the
 * policy call's 2 s timeout does not limit it.
 */
export function tarpitDelay(pressure: number, s: ReputationSettings): number {
  const fraction = (pressure - s.tarpitFrom) / (1 - s.tarpitFrom);
  return Math.min(s.maxDelaySeconds, Math.max(1, Math.ceil(fraction * s.maxDelaySeconds)));
}

/** The weak-password rule (the FAQ's): true when the score before this attempt is already bad. */
export function badReputation(scoreBefore: number, tolerance: number, s: ReputationSettings): boolean {
  return reaches(scoreBefore, s.badReputationScore * tolerance);
}

export function weakPasswordBanReason(scoreBefore: number): string {
  return `weak password from an IP of bad reputation (score ${oneDecimal(scoreBefore)})`;
}

/** The rule closest to firing and its pressure. */
export function closestRule(standing: Standing): [Rule, number] {
  let best: [Rule, number] = ["score", standing.pressure.score];
  for (const rule of ["dictionary", "spraying"] as const) {
    if (standing.pressure[rule] > best[1]) best = [rule, standing.pressure[rule]];
  }
  return best;
}

function banReason(rule: Rule, standing: Standing): string {
  if (rule === "dictionary") {
    return `dictionary attack: ${whole(standing.worstLogin?.passwords ?? 0)} passwords on one login`;
  }
  if (rule === "spraying") {
    const logins = whole(standing.failedLogins);
    return `${sprayKind(standing)}: ${logins} logins`;
  }
  return `bad reputation: score ${oneDecimal(standing.score)} (${evidenceText(standing)})`;
}

/**
 * Spraying tries one or two common passwords on many logins; stuffing tries a leaked password
 * per login, often for addresses we do not have. Password-only tags tell them apart when given;
 * otherwise a large share of unknown logins points to stuffing.
 */
function sprayKind(standing: Standing): string {
  const logins = Math.max(1, standing.failedLogins);
  if (standing.sprayPasswords !== null) {
    return standing.sprayPasswords * 2 <= logins ? "password spraying" : "credential stuffing";
  }
  return standing.failures.unknown_user * 3 >= logins ? "credential stuffing" : "password spraying";
}

/** "4 wrong passwords, 1 unknown login on 3 logins", leaving out what is zero. */
export function evidenceText(standing: Standing): string {
  const parts: string[] = [];
  const add = (value: number, one: string, many: string): void => {
    const n = whole(value);
    if (n > 0) parts.push(`${n} ${n === 1 ? one : many}`);
  };
  add(standing.failures.wrong_password, "wrong password", "wrong passwords");
  add(standing.failures.unknown_user, "unknown login", "unknown logins");
  add(standing.failures.weak_password, "weak password", "weak passwords");
  add(standing.failures.disabled, "disabled account", "disabled accounts");
  const logins = whole(standing.failedLogins);
  return parts.length === 0
    ? "no recent failures"
    : `${parts.join(", ")} on ${logins} login${logins === 1 ? "" : "s"}`;
}

function whole(value: number): number {
  return Math.round(value);
}

function oneDecimal(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}
