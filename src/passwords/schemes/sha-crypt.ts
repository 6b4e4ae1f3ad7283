import { encrypt } from "unixcrypt";
import { asciiEqual } from "../constant-time.js";
import { invalid, type Verdict, verdictOf } from "../outcome.js";

// glibc's format: $5$ (SHA-256) or $6$ (SHA-512), optional rounds, salt of at most 16 characters.
const SHA_CRYPT = /^\$([56])\$(?:rounds=(\d{1,10})\$)?([./0-9A-Za-z]{0,16})\$([./0-9A-Za-z]+)$/;
const DIGEST_CHARS: Record<string, number> = { "5": 43, "6": 86 };

// glibc accepts up to 999,999,999 rounds; unixcrypt allocates an array of that many entries, so
// a corrupt row could exhaust a worker's memory. 10M rounds is ~15 s per login, far past any use.
const MAX_ROUNDS = 10_000_000;

/** Syntax check of a $5$/$6$ hash: null when unixcrypt can verify it. */
export function checkShaCrypt(hash: string): string | null {
  const match = SHA_CRYPT.exec(hash);
  if (match === null) return "malformed SHA-crypt hash";
  const [, id = "", rounds, , digest = ""] = match;
  if (digest.length !== DIGEST_CHARS[id]) return "SHA-crypt digest has the wrong length";
  if (rounds !== undefined && Number(rounds) > MAX_ROUNDS) return "SHA-crypt rounds above 10,000,000";
  return null;
}

/** Verifies a $5$/$6$ hash with unixcrypt (sound with UTF-8, unlike sha512crypt-node). */
export function verifyShaCrypt(password: string, hash: string): Verdict {
  const problem = checkShaCrypt(hash);
  if (problem !== null) return invalid(problem);
  try {
    // Recompute with the stored settings and compare the whole string, as crypt() users do.
    const settings = hash.slice(0, hash.lastIndexOf("$"));
    return verdictOf(asciiEqual(encrypt(password, settings), hash));
  } catch {
    return invalid("SHA-crypt hash rejected by unixcrypt");
  }
}
