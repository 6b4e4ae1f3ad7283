import crypt from "unix-crypt-td-js";
import { asciiEqual } from "../constant-time.js";
import { invalid, type Verdict, verdictOf } from "../outcome.js";

// Two salt characters, then 64 bits in 11 characters: the last one carries 4 bits and 2 zero
// bits, so its index in crypt's alphabet is a multiple of 4. A row breaking that matches nothing.
const DES_CRYPT = /^[./0-9A-Za-z]{12}[.26AEIMQUYcgkosw]$/;

/** Syntax check of a traditional 13-character DES crypt hash. */
export function checkDesCrypt(hash: string): string | null {
  return DES_CRYPT.test(hash) ? null : "malformed DES crypt hash";
}

/**
 * Verifies a DES crypt hash with unix-crypt-td-js, given the password's UTF-8 bytes as glibc's
 * crypt() is. DES reads at most the first 8 bytes, and only the low 7 bits of each, as glibc does:
 * a password sharing its first 8 bytes with the real one matches. ~120 µs: pooled with the crypt family.
 */
export function verifyDesCrypt(password: string, hash: string): Verdict {
  if (!DES_CRYPT.test(hash)) return invalid("malformed DES crypt hash");
  const bytes = Buffer.from(password, "utf8").toString("latin1");
  return verdictOf(asciiEqual(crypt(bytes, hash.slice(0, 2)), hash));
}
