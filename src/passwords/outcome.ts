/** What a scheme concludes about a password. Reasons name the scheme or the problem, never the data. */
export type Verdict = { status: "match" } | { status: "mismatch" } | { status: "invalid"; reason: string };

/** What callers get: a match also says whether the stored hash should be upgraded. */
export type VerifyOutcome =
  | { status: "match"; needsRehash: boolean }
  | { status: "mismatch" }
  | { status: "invalid"; reason: string };

export const MATCH: Verdict = { status: "match" };
export const MISMATCH: Verdict = { status: "mismatch" };

/** An unsupported or malformed hash; `reason` must not quote the hash or the password. */
export function invalid(reason: string): Verdict {
  return { status: "invalid", reason };
}

/** Turns a comparison into a verdict. */
export function verdictOf(equal: boolean): Verdict {
  return equal ? MATCH : MISMATCH;
}
