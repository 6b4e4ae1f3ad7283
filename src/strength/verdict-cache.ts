import { LRUCache } from "lru-cache";
import { hmacSha256 } from "../crypto/hmac.js";

/**
 * Verdicts by HMAC of (who, password) under a per-process random key: a bot replaying a dictionary
 * costs one HMAC per try instead of a zxcvbn run, and the memory holds no password nor any hash
 * that could be checked offline against a word list (the key never leaves the process).
 */
export interface VerdictCache<V extends object> {
  /** The cached verdict, or `judge()`'s, remembered. */
  lookup(identity: string, password: string, judge: () => V): V;
  /** The stored keys (for tests: fixed-length digests, never the password). */
  keys(): string[];
  stats(): { hits: number; misses: number; size: number };
}

/** 128 bits of HMAC-SHA-256: collisions are out of reach, keys stay small. */
const KEY_CHARS = 22; // base64url of 16 bytes
const MIN_SECRET_BYTES = 16;

/** A bounded LRU of verdicts keyed by HMAC(secret, identity + "\0" + password). */
export function createVerdictCache<V extends object>(options: {
  max: number;
  secret: Buffer;
}): VerdictCache<V> {
  if (options.secret.length < MIN_SECRET_BYTES) {
    throw new RangeError(`the verdict cache key needs at least ${MIN_SECRET_BYTES} random bytes`);
  }
  const hmac = hmacSha256(options.secret);
  const cache = new LRUCache<string, V>({ max: options.max });
  let hits = 0;
  let misses = 0;

  // JSON has no raw NUL, so the first NUL ends the identity: no two (identity, password) pairs
  // share an HMAC input.
  const keyFor = (identity: string, password: string): string =>
    hmac(`${JSON.stringify(identity)}\0${password}`, "base64url").slice(0, KEY_CHARS);

  return {
    lookup(identity, password, judge) {
      const key = keyFor(identity, password);
      const cached = cache.get(key);
      if (cached !== undefined) {
        hits += 1;
        return cached;
      }
      misses += 1;
      const verdict = judge();
      cache.set(key, verdict);
      return verdict;
    },
    keys: () => [...cache.keys()],
    stats: () => ({ hits, misses, size: cache.size }),
  };
}
