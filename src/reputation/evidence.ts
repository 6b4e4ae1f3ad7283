import { hmacSha256 } from "../crypto/hmac.js";

/** What one login attempt ended as, from the passdb (or a policy report). */
export type Outcome =
  | "ok"
  | "wrong_password"
  | "unknown_user"
  | "weak_password"
  | "disabled"
  | "policy_reject";

/** The failures that count against an IP. */
export type Failure = Exclude<Outcome, "ok" | "policy_reject">;

/** One login attempt as reputation sees it: never the password, only tags of it. */
export interface Evidence {
  at: Date;
  ip: string;
  login: string;
  outcome: Outcome;
  /**
   * `passwordTag(key, login, password)` for a failed attempt: the same wrong password again for
   * the same login counts once. Without it every failure of a login looks like one password,
   * which is safe for phones but blind to a dictionary attack on that login.
   */
  passwordTag?: string;
  /**
   * Optional `sprayTag(key, password)`: the same password tried on several logins shares it,
   * which tells password spraying (few passwords, many logins) from credential stuffing.
   */
  sprayTag?: string;
}

/** Hex characters kept of each HMAC: 32 bits tell a few hundred passwords apart, and reveal nothing. */
export const TAG_HEX_LENGTH = 8;

/**
 * A keyed, truncated HMAC-SHA256 of (login, password). Without the key it cannot be tested
 * against guesses, and 32 bits of it match millions of passwords, so it identifies a password
 * only among the few tried for that login. The key is the server's secret, never logged.
 * Logins never hold a NUL (SASL PLAIN separates its fields with it), so `login \0 password` is
 * unambiguous.
 */
export function passwordTag(key: Buffer, login: string, password: string): string {
  return hmacOf(key)(`${login}\0${password}`, "hex").slice(0, TAG_HEX_LENGTH);
}

/**
 * A keyed, truncated HMAC-SHA256 of the password alone. The leading NUL keeps it apart from
 * every `passwordTag` of a non-empty login.
 */
export function sprayTag(key: Buffer, password: string): string {
  return hmacOf(key)(`\0spray\0${password}`, "hex").slice(0, TAG_HEX_LENGTH);
}

// The key's HMAC, prepared once per key (one per process in the service).
const hmacs = new WeakMap<Buffer, ReturnType<typeof hmacSha256>>();
function hmacOf(key: Buffer): ReturnType<typeof hmacSha256> {
  let hmac = hmacs.get(key);
  if (!hmac) {
    hmac = hmacSha256(key);
    hmacs.set(key, hmac);
  }
  return hmac;
}
