import { hash, timingSafeEqual } from "node:crypto";

/**
 * Returns a constant-time check against a fixed secret. Both sides are hashed first so that
 * timingSafeEqual gets equal lengths and the length of the secret does not leak either.
 */
export function secretMatcher(expected: string): (candidate: string) => boolean {
  // One-shot hash() with a string result: a Hash object or a Buffer result costs 3-4x more,
  // and this runs twice per token request.
  const want = Buffer.from(hash("sha256", expected, "binary"), "binary");
  const candidateDigest = Buffer.alloc(want.length);
  return (candidate) => {
    candidateDigest.write(hash("sha256", candidate, "binary"), "binary");
    return timingSafeEqual(candidateDigest, want);
  };
}
