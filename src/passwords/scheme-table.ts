import type { Scheme } from "./scheme.js";
import { ARGON2I, ARGON2ID } from "./schemes/argon2.js";
import { CRAM_MD5, HMAC_MD5 } from "./schemes/cram-md5.js";
import { BLF_CRYPT, CRYPT, DES_CRYPT, SHA256_CRYPT, SHA512_CRYPT } from "./schemes/crypt.js";
import { LDAP_MD5, PLAIN_MD5, SHA1, SHA256, SHA512 } from "./schemes/digest.js";
import { DIGEST_MD5 } from "./schemes/digest-md5.js";
import { MD5, MD5_CRYPT_SCHEME } from "./schemes/md5-crypt.js";
import { PBKDF2_SCHEME } from "./schemes/pbkdf2.js";
import { PLAIN, PLAIN_TRUNC } from "./schemes/plain.js";
import { SMD5, SSHA, SSHA256, SSHA512 } from "./schemes/salted-digest.js";
import { SCRAM_SHA_1, SCRAM_SHA_256 } from "./schemes/scram.js";

const SCHEMES: Scheme[] = [
  BLF_CRYPT,
  CRYPT,
  DES_CRYPT,
  SHA256_CRYPT,
  SHA512_CRYPT,
  MD5,
  MD5_CRYPT_SCHEME,
  ARGON2I,
  ARGON2ID,
  PBKDF2_SCHEME,
  SCRAM_SHA_1,
  SCRAM_SHA_256,
  SSHA,
  SSHA256,
  SSHA512,
  SMD5,
  SHA1,
  SHA256,
  SHA512,
  PLAIN_MD5,
  LDAP_MD5,
  CRAM_MD5,
  HMAC_MD5,
  DIGEST_MD5,
  PLAIN,
  PLAIN_TRUNC,
];

const ALIASES: Record<string, Scheme> = { SHA: SHA1, CLEARTEXT: PLAIN, CLEAR: PLAIN };

const BY_NAME = new Map<string, Scheme>([
  ...SCHEMES.map((s) => [s.name, s] as const),
  ...Object.entries(ALIASES),
]);

// Dovecot schemes with no sound Node implementation here (MD4 is gone from OpenSSL 3's default
// provider; LANMAN is DES; OTP/SKEY/RPA are one-time or proprietary).
const UNSUPPORTED = new Set(["PLAIN-MD4", "NTLM", "LANMAN", "OTP", "SKEY", "RPA"]);

/** The scheme for a Dovecot scheme name (any case), or why there is none. */
export function lookupScheme(name: string): Scheme | string {
  const upper = name.toUpperCase();
  const scheme = BY_NAME.get(upper);
  if (scheme !== undefined) return scheme;
  // Echo the name only when it is one we know: an unknown "{...}" could be anything, even a password.
  return UNSUPPORTED.has(upper) ? `{${upper}} is not supported` : "unknown password scheme";
}
