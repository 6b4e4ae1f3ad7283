import type { LoginVerdict, SetPolicy, StrengthPolicy } from "./types.js";

type WeakReason = "too_short" | "low_score";

/** zxcvbn scores run from 0 (a top-10 password) to 4 (over 10^10 guesses). */
export const MAX_SCORE = 4;

// Verdicts are shared frozen values, so 100k cache entries hold references rather than objects.
const STRONG: LoginVerdict = Object.freeze({ weak: false });
const WEAK: Record<WeakReason, readonly LoginVerdict[]> = {
  too_short: weakVerdicts("too_short"),
  low_score: weakVerdicts("low_score"),
};

/** The login verdict: too short first (the plainest reason), then too guessable. */
export function loginVerdict(score: number, length: number, policy: StrengthPolicy): LoginVerdict {
  if (length < policy.minLength) return weak("too_short", score);
  if (score <= policy.maxWeakScore) return weak("low_score", score);
  return STRONG;
}

/** Whether a new password meets the stricter policy for setting one. */
export function meetsSetPolicy(score: number, length: number, policy: SetPolicy): boolean {
  return length >= policy.minLength && score >= policy.minScore;
}

function weak(reason: WeakReason, score: number): LoginVerdict {
  return WEAK[reason][score] ?? Object.freeze({ weak: true, reason, score });
}

function weakVerdicts(reason: WeakReason): LoginVerdict[] {
  return Array.from({ length: MAX_SCORE + 1 }, (_, score) => Object.freeze({ weak: true, reason, score }));
}
