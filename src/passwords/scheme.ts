import type { DataEncoding } from "./encoding.js";
import type { Verdict } from "./outcome.js";

/** What a few schemes need besides the password (DIGEST-MD5 hashes the user name in). */
export interface VerifyContext {
  user?: string;
}

/** One Dovecot password scheme: how its data is stored, checked and verified. */
export interface Scheme {
  /** Canonical Dovecot name, e.g. "SSHA512". */
  name: string;
  /**
   * "pool": deliberately slow key stretching that would stall the event loop, so it runs in a
   * worker thread. "inline": one or two digests, cheaper than a worker round-trip.
   */
  runs: "pool" | "inline";
  /** Dovecot's default encoding of the data, used when there is no `.HEX`/`.B64` suffix. */
  encoding: DataEncoding;
  /** Digest length in bytes for fixed-length schemes: enables Dovecot's hex/base64 guessing. */
  rawLength?: number;
  /** Syntax check of the decoded data: null when well-formed, else a reason without the data. */
  check(raw: Buffer): string | null;
  /** Synchronous verification; must not throw (library errors become `invalid`). */
  verify(password: string, raw: Buffer, context: VerifyContext): Verdict;
}
