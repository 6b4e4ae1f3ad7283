import { invalid, type Verdict } from "../outcome.js";
import type { Scheme } from "../scheme.js";
import { checkBcrypt, verifyBcrypt } from "./bcrypt.js";
import { checkDesCrypt, verifyDesCrypt } from "./des-crypt.js";
import { checkMd5Crypt, verifyMd5Crypt } from "./md5-crypt.js";
import { checkShaCrypt, verifyShaCrypt } from "./sha-crypt.js";

/** A crypt(3) format this service can verify. */
interface CryptFormat {
  check(hash: string): string | null;
  verify(password: string, hash: string): Verdict;
}

const BCRYPT: CryptFormat = { check: checkBcrypt, verify: verifyBcrypt };
const SHA_CRYPT: CryptFormat = { check: checkShaCrypt, verify: verifyShaCrypt };
const MD5_CRYPT: CryptFormat = { check: checkMd5Crypt, verify: verifyMd5Crypt };
const DES_CRYPT_FORMAT: CryptFormat = { check: checkDesCrypt, verify: verifyDesCrypt };

// Formats libc's crypt() may hold that no Node library verifies. Named so an operator knows
// which rows to migrate (e.g. Debian 11+ `mkpasswd`/`chpasswd` default to yescrypt).
const UNSUPPORTED: [RegExp, string][] = [
  [/^\$y\$/, "yescrypt ($y$) is not supported"],
  [/^\$gy\$/, "gost-yescrypt ($gy$) is not supported"],
  [/^\$7\$/, "scrypt ($7$) is not supported"],
  [/^\$argon2/, "argon2 inside {CRYPT} is not read by Dovecot's crypt(); store it as {ARGON2ID}"],
  [/^\$(?:md5|sha1|3)\$/, "this crypt format is not supported"],
  [/^_[./0-9A-Za-z]{19}$/, "BSDi extended DES crypt is not supported"],
];

/** Picks the format from the `$id$` prefix, as libc's crypt() does, or says why it can't. */
function cryptFormat(hash: string): CryptFormat | string {
  if (hash === "") return "empty crypt hash";
  if (hash.startsWith("$2")) return BCRYPT;
  if (hash.startsWith("$5$") || hash.startsWith("$6$")) return SHA_CRYPT;
  if (hash.startsWith("$1$")) return MD5_CRYPT;
  for (const [pattern, reason] of UNSUPPORTED) if (pattern.test(hash)) return reason;
  // Like libc, anything without a `$id$` or `_` prefix is traditional DES (its check says if it is not).
  return hash.startsWith("$") ? "unrecognised crypt format" : DES_CRYPT_FORMAT;
}

/**
 * Dovecot hands {CRYPT}, {DES-CRYPT}, {SHA256-CRYPT} and {SHA512-CRYPT} data to libc crypt(),
 * which ignores the scheme name and follows the `$id$` prefix; {BLF-CRYPT} goes to Dovecot's
 * own bcrypt, which takes only `$2?$`. Every verifiable format is pooled: even DES, the cheapest,
 * takes ~130 µs of CPU, several times what sending it to a worker costs the main thread.
 */
function cryptScheme(name: string, onlyBcrypt: boolean): Scheme {
  const formatOf = (raw: Buffer): CryptFormat | string => {
    const hash = raw.toString("latin1");
    if (onlyBcrypt && !hash.startsWith("$2")) return `${name} data is not a bcrypt hash`;
    return cryptFormat(hash);
  };
  return {
    name,
    runs: "pool",
    encoding: "none",
    check(raw) {
      const format = formatOf(raw);
      return typeof format === "string" ? format : format.check(raw.toString("latin1"));
    },
    verify(password, raw) {
      const format = formatOf(raw);
      return typeof format === "string" ? invalid(format) : format.verify(password, raw.toString("latin1"));
    },
  };
}

export const CRYPT = cryptScheme("CRYPT", false);
export const DES_CRYPT = cryptScheme("DES-CRYPT", false);
export const SHA256_CRYPT = cryptScheme("SHA256-CRYPT", false);
export const SHA512_CRYPT = cryptScheme("SHA512-CRYPT", false);
export const BLF_CRYPT = cryptScheme("BLF-CRYPT", true);
