import { createHash } from "node:crypto";
import { bytesEqual } from "../constant-time.js";
import { verdictOf } from "../outcome.js";
import type { Scheme } from "../scheme.js";

/** Unsalted digest of the UTF-8 password: {SHA512}, {PLAIN-MD5}, ... Weak, kept for imports. */
function digestScheme(name: string, algorithm: string, length: number, encoding: "base64" | "hex"): Scheme {
  return {
    name,
    runs: "inline",
    encoding,
    rawLength: length,
    // Length is already enforced by the decoder (rawLength).
    check: () => null,
    verify(password, raw) {
      return verdictOf(bytesEqual(createHash(algorithm).update(password, "utf8").digest(), raw));
    },
  };
}

export const SHA1 = digestScheme("SHA1", "sha1", 20, "base64");
export const SHA256 = digestScheme("SHA256", "sha256", 32, "base64");
export const SHA512 = digestScheme("SHA512", "sha512", 64, "base64");
/** PLAIN-MD5 and LDAP-MD5 differ only in Dovecot's default encoding (guessing makes both read either). */
export const PLAIN_MD5 = digestScheme("PLAIN-MD5", "md5", 16, "hex");
export const LDAP_MD5 = digestScheme("LDAP-MD5", "md5", 16, "base64");
