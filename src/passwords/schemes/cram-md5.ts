import { createHash } from "node:crypto";
import { bytesEqual } from "../constant-time.js";
import { verdictOf } from "../outcome.js";
import type { Scheme } from "../scheme.js";
import { MD5_IV, md5Block } from "./md5-block.js";

/**
 * The 32 bytes Dovecot stores for CRAM-MD5: HMAC-MD5's outer then inner state after absorbing
 * the padded key, each as four little-endian words (hmac_md5_get_cram_context()).
 */
export function cramMd5Context(password: string): Buffer {
  let key = Buffer.from(password, "utf8");
  if (key.length > 64) key = createHash("md5").update(key).digest();
  const padded = Buffer.alloc(64);
  key.copy(padded);
  const inner = md5Block(
    MD5_IV,
    padded.map((byte) => byte ^ 0x36),
  );
  const outer = md5Block(
    MD5_IV,
    padded.map((byte) => byte ^ 0x5c),
  );
  const out = Buffer.alloc(32);
  [...outer, ...inner].forEach((word, i) => {
    out.writeUInt32LE(word, i * 4);
  });
  return out;
}

function cramScheme(name: string): Scheme {
  return {
    name,
    runs: "inline",
    encoding: "hex",
    rawLength: 32,
    check: () => null,
    verify: (password, raw) => verdictOf(bytesEqual(cramMd5Context(password), raw)),
  };
}

export const CRAM_MD5 = cramScheme("CRAM-MD5");
/** Dovecot's older name for the same data. */
export const HMAC_MD5 = cramScheme("HMAC-MD5");
