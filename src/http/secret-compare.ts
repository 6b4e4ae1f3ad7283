import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Returns a constant-time check against a fixed secret. Both sides are hashed first so that
 * timingSafeEqual gets equal lengths and the length of the secret does not leak either.
 */
export function secretMatcher(expected: string): (candidate: string) => boolean {
  const want = createHash("sha256").update(expected).digest();
  return (candidate) => timingSafeEqual(createHash("sha256").update(candidate).digest(), want);
}
