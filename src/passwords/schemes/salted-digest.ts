import { createHash } from "node:crypto";
import { bytesEqual } from "../constant-time.js";
import { invalid, verdictOf } from "../outcome.js";
import type { Scheme } from "../scheme.js";

/**
 * Salted digest, stored as base64(digest(password + salt) + salt): {SSHA*}, {SMD5}. Dovecot
 * writes 4-byte salts but accepts any length, so everything after the digest is the salt.
 */
function saltedDigestScheme(name: string, algorithm: string, length: number): Scheme {
  const check = (raw: Buffer) => (raw.length > length ? null : `${name} data is too short to hold a salt`);
  return {
    name,
    runs: "inline",
    encoding: "base64",
    check,
    verify(password, raw) {
      const problem = check(raw);
      if (problem !== null) return invalid(problem);
      const salt = raw.subarray(length);
      const digest = createHash(algorithm).update(password, "utf8").update(salt).digest();
      return verdictOf(bytesEqual(digest, raw.subarray(0, length)));
    },
  };
}

export const SSHA = saltedDigestScheme("SSHA", "sha1", 20);
export const SSHA256 = saltedDigestScheme("SSHA256", "sha256", 32);
export const SSHA512 = saltedDigestScheme("SSHA512", "sha512", 64);
export const SMD5 = saltedDigestScheme("SMD5", "md5", 16);
