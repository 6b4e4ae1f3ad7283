import bcrypt from "bcryptjs";
import { invalid, type Verdict, verdictOf } from "../outcome.js";

// $2a$, $2b$ and $2y$ are the same algorithm for every password bcryptjs can be given; $2x$
// is crypt_blowfish's bug-compatible mode, which differs only for bytes >= 0x80.
const BCRYPT = /^\$2([abxy])\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/** The cost of a well-formed bcrypt hash, or null when `hash` is not one. */
export function bcryptCost(hash: string): number | null {
  const match = BCRYPT.exec(hash);
  return match === null || match[1] === "x" ? null : Number(match[2]);
}

/** Syntax check: null when bcryptjs can verify `hash`, else the reason. */
export function checkBcrypt(hash: string): string | null {
  const match = BCRYPT.exec(hash);
  if (match === null) return "malformed bcrypt hash";
  const cost = Number(match[2]);
  if (cost < 4 || cost > 31) return "bcrypt cost out of range 4-31";
  return null;
}

/**
 * Verifies with bcryptjs, which like Dovecot uses only the first 72 UTF-8 bytes of the password
 * (even when that cuts a character in half). Runs in a worker: a cost-10 compare takes ~70 ms.
 */
export function verifyBcrypt(password: string, hash: string): Verdict {
  const problem = checkBcrypt(hash);
  if (problem !== null) return invalid(problem);
  let comparable = hash;
  if (hash.startsWith("$2x$")) {
    // An ASCII password hashes identically under $2x$ and $2a$; only 8-bit bytes hit the old bug.
    const ascii = Buffer.byteLength(password, "utf8") === password.length;
    if (!ascii) return invalid("bcrypt $2x$ with a non-ASCII password is not supported");
    comparable = `$2a$${hash.slice(4)}`;
  }
  try {
    return verdictOf(bcrypt.compareSync(password, comparable));
  } catch {
    return invalid("bcrypt hash rejected by bcryptjs");
  }
}

/** A new bcrypt hash. bcryptjs writes $2b$; it is rewritten to $2y$, what `doveadm pw` writes. */
export function hashBcrypt(password: string, cost: number): string {
  return bcrypt.hashSync(password, cost).replace(/^\$2b\$/, "$2y$");
}

/**
 * A well-formed hash at `cost` that no password matches in practice: verifying against it costs
 * exactly what a real verification costs (bcrypt's work does not depend on the outcome).
 */
export function bcryptDummyHash(cost: number): string {
  return `${bcrypt.genSaltSync(cost).replace(/^\$2b\$/, "$2y$")}${"O".repeat(31)}`;
}
