import { describe, expect, it } from "vitest";
import { createStrengthJudge, DEFAULT_STRENGTH_SETTINGS } from "../../../src/strength/index.js";
import { createVerdictCache } from "../../../src/strength/verdict-cache.js";

const JEAN = "jean.dupont@exemple.fr";
const KEY = Buffer.alloc(32, 7);

describe("the login verdict cache", () => {
  it("returns the same verdict on a repeat and counts the hit", () => {
    const judge = createStrengthJudge(DEFAULT_STRENGTH_SETTINGS, { randomKey: KEY });
    const first = judge.judgeLogin("azerty123", JEAN);
    const again = judge.judgeLogin("azerty123", JEAN);
    expect(again).toEqual(first);
    expect(again).toEqual({ weak: true, reason: "low_score", score: 1 });
    expect(judge.stats()).toEqual({ cacheHits: 1, cacheMisses: 1, cacheSize: 1 });
  });

  it("keys by login identity: the same password for another user is judged apart", () => {
    const judge = createStrengthJudge(DEFAULT_STRENGTH_SETTINGS, { randomKey: KEY });
    expect(judge.judgeLogin("jean.dupont2024", JEAN).weak).toBe(true);
    expect(judge.judgeLogin("jean.dupont2024", "marie.curie@ailleurs.org").weak).toBe(false);
    expect(judge.judgeLogin("jean.dupont2024", "Jean.Dupont@Exemple.fr").weak).toBe(true);
    expect(judge.stats()).toEqual({ cacheHits: 1, cacheMisses: 2, cacheSize: 2 });
  });

  it("stays within its size, forgetting the least recently used verdict", () => {
    const judge = createStrengthJudge(DEFAULT_STRENGTH_SETTINGS, { cacheSize: 2 });
    for (const password of ["azerty123", "motdepasse", "sunshine", "azerty123"])
      judge.judgeLogin(password, JEAN);
    expect(judge.stats()).toEqual({ cacheHits: 0, cacheMisses: 4, cacheSize: 2 });
  });

  it("stores fixed-length HMAC keys, never the password or the login", () => {
    const cache = createVerdictCache<{ weak: boolean }>({ max: 10, secret: KEY });
    const passwords = ["azerty123", "motdepasse", "x".repeat(1000), "日本語のパスワード"];
    for (const password of passwords) cache.lookup(JEAN, password, () => ({ weak: true }));
    const keys = cache.keys();
    expect(keys).toHaveLength(passwords.length);
    for (const key of keys) {
      expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
      for (const password of passwords) expect(key).not.toContain(password);
      expect(key).not.toContain("dupont");
    }
  });

  it("derives keys from the per-process secret: another secret gives other keys", () => {
    const one = createVerdictCache<object>({ max: 10, secret: KEY });
    const other = createVerdictCache<object>({ max: 10, secret: Buffer.alloc(32, 8) });
    one.lookup(JEAN, "azerty123", () => ({}));
    other.lookup(JEAN, "azerty123", () => ({}));
    expect(one.keys()).not.toEqual(other.keys());
  });

  it("cannot be fooled by moving characters between identity and password", () => {
    const cache = createVerdictCache<{ from: string }>({ max: 10, secret: KEY });
    cache.lookup("ab", "c", () => ({ from: "first" }));
    expect(cache.lookup("a", "bc", () => ({ from: "second" }))).toEqual({ from: "second" });
    expect(cache.lookup("ab\0", "c", () => ({ from: "third" }))).toEqual({ from: "third" });
  });

  it("refuses a secret too short to keep keys unguessable", () => {
    expect(() => createVerdictCache({ max: 10, secret: Buffer.alloc(8) })).toThrow(RangeError);
  });
});
