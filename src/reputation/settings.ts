import type { Failure } from "./evidence.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Every number the reputation model uses. docs/reputation.md says why each default is what it is. */
export interface ReputationSettings {
  /** IPv6 addresses are judged per network of this length: a /64 is one subscriber line. */
  v6Prefix: number;
  /** IPv4 addresses are judged per network of this length (32: each address on its own). */
  v4Prefix: number;
  /** Failure evidence halves in weight every this many ms. */
  failureHalfLifeMs: number;
  /** A successful login's tolerance halves every this many ms after that login's last success. */
  successHalfLifeMs: number;
  /** How long a (login, password tag) pair, a failing login or a successful login is remembered. */
  memoryMs: number;
  /** What each distinct (login, password) failure adds to the score. */
  weights: Record<Failure, number>;
  /** A weak password tried from an IP whose score is at least this is banned at once. */
  badReputationScore: number;
  /** A score at which the IP is banned whatever the mix of failures. */
  banScore: number;
  /** Distinct passwords tried on one login at which the IP is banned (dictionary attack). */
  dictionaryPasswords: number;
  /** Distinct failing logins at which the IP is banned (password spraying, credential stuffing). */
  sprayLogins: number;
  /** How much each recently successful login multiplies every threshold by, added to 1. */
  tolerancePerSuccess: number;
  /** The most successes can multiply thresholds by, so a real attack from a busy IP is still caught. */
  maxTolerance: number;
  /** Fraction of the way to a ban at which logins start being delayed. */
  tarpitFrom: number;
  /** The longest delay asked of Dovecot, reached just below a ban. */
  maxDelaySeconds: number;
  /** Reputation keys tracked at most; the least recently seen is forgotten first. */
  maxKeys: number;
  /** Distinct (login, password) pairs remembered per key. */
  maxPairsPerKey: number;
  /** Distinct failing logins remembered per key (each with its own password count). */
  maxLoginsPerKey: number;
  /** Distinct successful logins remembered per key. */
  maxSuccessesPerKey: number;
}

export const DEFAULT_REPUTATION: ReputationSettings = {
  v6Prefix: 64,
  v4Prefix: 32,
  failureHalfLifeMs: 6 * HOUR,
  successHalfLifeMs: DAY,
  memoryMs: 7 * DAY,
  weights: { wrong_password: 1, unknown_user: 1, weak_password: 1.5, disabled: 0.5 },
  badReputationScore: 3,
  banScore: 20,
  dictionaryPasswords: 10,
  sprayLogins: 10,
  tolerancePerSuccess: 0.5,
  maxTolerance: 4,
  tarpitFrom: 0.3,
  maxDelaySeconds: 10,
  maxKeys: 50_000,
  maxPairsPerKey: 64,
  maxLoginsPerKey: 64,
  maxSuccessesPerKey: 256,
};

/** What is wrong with a set of settings, in words naming the setting; empty when they are usable. */
export function reputationSettingsProblems(s: ReputationSettings): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string): void => {
    if (!ok) problems.push(message);
  };
  const whole = (n: number, min: number, max: number): boolean => Number.isInteger(n) && n >= min && n <= max;
  check(whole(s.v6Prefix, 32, 128), `v6Prefix must be a whole number from 32 to 128, got ${s.v6Prefix}`);
  check(whole(s.v4Prefix, 8, 32), `v4Prefix must be a whole number from 8 to 32, got ${s.v4Prefix}`);
  for (const name of ["failureHalfLifeMs", "successHalfLifeMs", "memoryMs"] as const) {
    check(
      s[name] >= 60_000 && Number.isFinite(s[name]),
      `${name} must be at least one minute, got ${s[name]}`,
    );
  }
  for (const [outcome, w] of Object.entries(s.weights)) {
    check(w >= 0 && w <= 100, `weights.${outcome} must be from 0 to 100, got ${w}`);
  }
  for (const name of ["badReputationScore", "banScore", "dictionaryPasswords", "sprayLogins"] as const) {
    check(s[name] >= 1 && Number.isFinite(s[name]), `${name} must be at least 1, got ${s[name]}`);
  }
  check(s.badReputationScore < s.banScore, `badReputationScore must be below banScore`);
  check(s.tolerancePerSuccess >= 0, `tolerancePerSuccess must not be negative, got ${s.tolerancePerSuccess}`);
  check(
    s.maxTolerance >= 1 && s.maxTolerance <= 100,
    `maxTolerance must be from 1 to 100, got ${s.maxTolerance}`,
  );
  check(s.tarpitFrom > 0 && s.tarpitFrom < 1, `tarpitFrom must be between 0 and 1, got ${s.tarpitFrom}`);
  check(
    whole(s.maxDelaySeconds, 0, 60),
    `maxDelaySeconds must be a whole number from 0 to 60, got ${s.maxDelaySeconds}`,
  );
  for (const name of ["maxKeys", "maxPairsPerKey", "maxLoginsPerKey", "maxSuccessesPerKey"] as const) {
    check(whole(s[name], 1, 10_000_000), `${name} must be a whole number of at least 1, got ${s[name]}`);
  }
  return problems;
}
