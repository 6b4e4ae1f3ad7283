import { describe, expect, it } from "vitest";
import { bump, decayed, valueAt } from "../../../src/reputation/decay.js";
import { RecentMap } from "../../../src/reputation/recent.js";

const HOUR = 3_600_000;

describe("RecentMap", () => {
  it("tells a repeat from a new key", () => {
    const seen = new RecentMap<true>(10, HOUR);
    expect(seen.touch("a", 0, () => true)).toMatchObject({ isNew: true });
    expect(seen.touch("a", 1000, () => true)).toEqual({ value: true, isNew: false, previousSeen: 0 });
  });

  it("forgets a key not seen for longer than its memory", () => {
    const seen = new RecentMap<true>(10, HOUR);
    seen.touch("a", 0, () => true);
    expect(seen.get("a", HOUR)).toBeDefined();
    expect(seen.get("a", HOUR + 1)).toBeUndefined();
    expect(seen.touch("a", HOUR + 1, () => true).isNew).toBe(true);
  });

  it("never holds more than its cap, and keeps a key that keeps being seen", () => {
    const seen = new RecentMap<true>(4, HOUR);
    seen.touch("phone", 0, () => true);
    for (let i = 0; i < 100; i++) {
      seen.touch(`flood-${i}`, i + 1, () => true);
      seen.touch("phone", i + 1, () => true);
      expect(seen.size).toBeLessThanOrEqual(4);
    }
    expect(seen.get("phone", 200)).toBeDefined();
    expect(seen.get("flood-0", 200)).toBeUndefined();
    expect(seen.countLive(200)).toBe(4);
  });
});

describe("decayed counts", () => {
  it("halve every half-life and never grow from an out-of-order event", () => {
    const count = decayed();
    bump(count, 10 * HOUR, HOUR, 4);
    expect(valueAt(count, 12 * HOUR, HOUR)).toBeCloseTo(1, 10);
    bump(count, 9 * HOUR, HOUR);
    expect(valueAt(count, 10 * HOUR, HOUR)).toBeCloseTo(4.5, 10);
    expect(valueAt(count, 5 * HOUR, HOUR)).toBe(4.5);
  });
});
