import { createHash } from "node:crypto";
import { asciiEqual } from "../constant-time.js";
import { decodeSchemeData } from "../encoding.js";
import { invalid, type Verdict } from "../outcome.js";
import type { Scheme } from "../scheme.js";
import { PLAIN_MD5 } from "./digest.js";

const MD5_CRYPT = /^\$1\$([^$]{0,8})\$[./0-9A-Za-z]{22}$/;
const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const md5 = (...parts: Uint8Array[]) => {
  const hash = createHash("md5");
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** crypt(3)'s base64 of `count` characters, least significant 6 bits first. */
function to64(value: number, count: number): string {
  let out = "";
  for (let v = value, i = 0; i < count; i++, v >>>= 6) out += ITOA64[v & 0x3f];
  return out;
}

/**
 * Poul-Henning Kamp's md5crypt over the password's UTF-8 bytes, written out because the npm
 * ports (apache-md5) hash UTF-8 passwords wrongly. Returns the full "$1$salt$hash" string.
 */
export function md5Crypt(password: string, salt: string): string {
  const pw = Buffer.from(password, "utf8");
  const saltBytes = Buffer.from(salt, "latin1");
  const alternate = md5(pw, saltBytes, pw);

  const context = createHash("md5").update(pw).update("$1$").update(saltBytes);
  for (let left = pw.length; left > 0; left -= 16) context.update(alternate.subarray(0, Math.min(left, 16)));
  for (let bits = pw.length; bits > 0; bits >>>= 1) {
    context.update(bits & 1 ? Buffer.of(0) : pw.subarray(0, 1));
  }
  let final = context.digest();

  // 1000 rounds: the "stretching" that makes this slow enough to pool (~1 ms).
  for (let round = 0; round < 1000; round++) {
    const parts: Uint8Array[] = [round & 1 ? pw : final];
    if (round % 3) parts.push(saltBytes);
    if (round % 7) parts.push(pw);
    parts.push(round & 1 ? final : pw);
    final = md5(...parts);
  }

  const b = (i: number) => final[i] ?? 0;
  const encoded =
    to64((b(0) << 16) | (b(6) << 8) | b(12), 4) +
    to64((b(1) << 16) | (b(7) << 8) | b(13), 4) +
    to64((b(2) << 16) | (b(8) << 8) | b(14), 4) +
    to64((b(3) << 16) | (b(9) << 8) | b(15), 4) +
    to64((b(4) << 16) | (b(10) << 8) | b(5), 4) +
    to64(b(11), 2);
  return `$1$${salt}$${encoded}`;
}

/** Syntax check of a $1$ hash. */
export function checkMd5Crypt(hash: string): string | null {
  return MD5_CRYPT.test(hash) ? null : "malformed MD5-crypt hash";
}

/** Verifies a $1$ hash by recomputing it with the stored salt. */
export function verifyMd5Crypt(password: string, hash: string): Verdict {
  const match = MD5_CRYPT.exec(hash);
  if (match === null) return invalid("malformed MD5-crypt hash");
  return asciiEqual(md5Crypt(password, match[1] ?? ""), hash) ? { status: "match" } : { status: "mismatch" };
}

/** Dovecot's {MD5} and {MD5-CRYPT} read "$1$..." as md5crypt and anything else as PLAIN-MD5. */
function md5Scheme(name: string): Scheme {
  const asPlainMd5 = (raw: Buffer) => decodeSchemeData(raw.toString("latin1"), "hex", null, 16);
  return {
    name,
    runs: "pool",
    encoding: "none",
    check(raw) {
      const text = raw.toString("latin1");
      if (text.startsWith("$1$")) return checkMd5Crypt(text);
      return asPlainMd5(raw).ok ? null : `${name} data is neither MD5-crypt nor an MD5 digest`;
    },
    verify(password, raw, context) {
      const text = raw.toString("latin1");
      if (text.startsWith("$1$")) return verifyMd5Crypt(password, text);
      const digest = asPlainMd5(raw);
      if (!digest.ok) return invalid(`${name} data is neither MD5-crypt nor an MD5 digest`);
      return PLAIN_MD5.verify(password, digest.raw, context);
    },
  };
}

export const MD5 = md5Scheme("MD5");
export const MD5_CRYPT_SCHEME = md5Scheme("MD5-CRYPT");
