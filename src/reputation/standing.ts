import { valueAt } from "./decay.js";
import type { Failure } from "./evidence.js";
import type { KeyState } from "./key-state.js";
import type { ReputationSettings } from "./settings.js";

/** The numbers behind a verdict, as of one moment. Counts are decayed, so fractional. */
export interface Standing {
  /** Distinct (login, password) failures per outcome. */
  failures: Record<Failure, number>;
  /** Distinct logins that failed. */
  failedLogins: number;
  /** The login with the most distinct passwords tried, and how many. */
  worstLogin: { login: string; passwords: number } | null;
  /** Recent successful logins, each weighed by the age of its last success. */
  successes: number;
  /** Distinct password-only tags among failures (null when none were given). */
  sprayPasswords: number | null;
  /** Weighted sum of the failures. */
  score: number;
  /** What every threshold is multiplied by, from successes (1 to maxTolerance). */
  tolerance: number;
  /** How far each ban rule is from firing: 1 means it fires. */
  pressure: { score: number; dictionary: number; spraying: number };
}

const OUTCOMES: Failure[] = ["wrong_password", "unknown_user", "weak_password", "disabled"];

/**
 * Decayed counts are compared with thresholds rounded to the nearest whole: 9.6 is "about 10",
 * so ten guesses a minute apart reach a threshold of ten although the first has faded a little,
 * and a pressure moves in steps an admin can follow ("3 passwords of 10").
 */
export function counted(value: number): number {
  return Math.round(value);
}

/** The standing of a key at `now`; an untracked key has a clean one. */
export function standingOf(state: KeyState | undefined, now: number, s: ReputationSettings): Standing {
  const halfLife = s.failureHalfLifeMs;
  const failures = { wrong_password: 0, unknown_user: 0, weak_password: 0, disabled: 0 };
  let score = 0;
  let worstLogin: Standing["worstLogin"] = null;
  let successes = 0;
  if (state) {
    for (const outcome of OUTCOMES) {
      failures[outcome] = valueAt(state.failures[outcome], now, halfLife);
      score += failures[outcome] * s.weights[outcome];
    }
    if (state.worstLogin) {
      const { login, passwords } = state.worstLogin;
      worstLogin = { login, passwords: valueAt(passwords, now, halfLife) };
    }
    successes = valueAt(state.successes, now, s.successHalfLifeMs);
  }
  const failedLogins = state ? valueAt(state.failedLogins, now, halfLife) : 0;
  const sprayPasswords = state?.sprayTags ? state.sprayTags.countLive(now) : null;
  const tolerance = Math.min(s.maxTolerance, 1 + s.tolerancePerSuccess * successes);
  return {
    failures,
    failedLogins,
    worstLogin,
    successes,
    sprayPasswords,
    score,
    tolerance,
    pressure: {
      score: pressure(score, s.banScore * tolerance),
      dictionary: pressure(worstLogin?.passwords ?? 0, s.dictionaryPasswords * tolerance),
      spraying: pressure(failedLogins, s.sprayLogins * tolerance),
    },
  };
}

/** Whether `value` reaches `limit`, counting as a whole number. */
export function reaches(value: number, limit: number): boolean {
  return counted(value) >= limit;
}

function pressure(value: number, limit: number): number {
  return counted(value) / limit;
}
