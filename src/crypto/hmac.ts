import { createHmac, hash } from "node:crypto";

const BLOCK_BYTES = 64; // SHA-256's block
const DIGEST_BYTES = 32;
/** Longest message (UTF-8 bytes) hashed through the scratch buffer; longer ones use createHmac. */
const SCRATCH_BYTES = 4096;

/**
 * HMAC-SHA-256 (RFC 2104) under a fixed key, for the keys mailauth derives per login attempt
 * (strength verdicts, password tags). It computes exactly what `createHmac("sha256", key)` does,
 * as two calls of node:crypto's one-shot `hash()` over the padded key and the message: a Hmac
 * object costs 1.3-2 µs per digest here, this 0.8 µs, on a path that runs up to four times per
 * failed login (strength cache key, password and spray tags, the weak-password follow-up).
 * test/unit/crypto/hmac.test.ts checks it against createHmac.
 */
export function hmacSha256(key: Uint8Array): (message: string, encoding: "hex" | "base64url") => string {
  const block = Buffer.alloc(BLOCK_BYTES);
  block.set(key.length > BLOCK_BYTES ? hash("sha256", key, "buffer") : key);
  // Inner input: (key ^ ipad) || message; outer input: (key ^ opad) || inner digest.
  const inner = Buffer.alloc(BLOCK_BYTES + SCRATCH_BYTES);
  const outer = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);
  for (let i = 0; i < BLOCK_BYTES; i++) {
    inner[i] = (block[i] ?? 0) ^ 0x36;
    outer[i] = (block[i] ?? 0) ^ 0x5c;
  }
  const copy = Buffer.from(key);
  // The inner digest travels as a latin1 ("binary") string, one char per byte: a Buffer result
  // costs more than the hash itself.
  return (message, encoding) => {
    // At most 3 UTF-8 bytes per UTF-16 unit: a message this short always fits the scratch buffer.
    if (message.length * 3 > SCRATCH_BYTES)
      return createHmac("sha256", copy).update(message).digest(encoding);
    const length = inner.write(message, BLOCK_BYTES, "utf8");
    outer.write(hash("sha256", inner.subarray(0, BLOCK_BYTES + length), "binary"), BLOCK_BYTES, "binary");
    // The scratch buffers are reused: nothing of the message stays behind in them.
    inner.fill(0, BLOCK_BYTES, BLOCK_BYTES + length);
    return hash("sha256", outer, encoding);
  };
}
