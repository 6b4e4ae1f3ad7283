import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares two byte strings without leaking where they differ. Lengths are compared first
 * because `timingSafeEqual` throws on unequal lengths; callers only pass values whose length is
 * public (digest sizes, crypt strings of a fixed format).
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares two ASCII strings of public length (crypt outputs) in constant time. */
export function asciiEqual(a: string, b: string): boolean {
  return bytesEqual(Buffer.from(a, "latin1"), Buffer.from(b, "latin1"));
}

/**
 * Compares secrets whose length is itself secret (PLAIN passwords): hashing both sides first
 * gives equal-length inputs, so neither the content nor the length leaks through timing.
 */
export function secretsEqual(a: Uint8Array, b: Uint8Array): boolean {
  const digestA = createHash("sha256").update(a).digest();
  const digestB = createHash("sha256").update(b).digest();
  return timingSafeEqual(digestA, digestB);
}
