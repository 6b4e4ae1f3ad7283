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

/**
 * Returns a check of an Authorization header against `Bearer <token>`, the token compared in
 * constant time. The scheme's case does not matter (RFC 7235: "bearer", "BEARER" are Bearer).
 */
export function bearerMatcher(token: string | null): (authorization: string | undefined) => boolean {
  if (!token) return () => false;
  const matches = secretMatcher(token);
  return (authorization) => matches(/^Bearer +(.+)$/i.exec(authorization ?? "")?.[1] ?? "");
}
