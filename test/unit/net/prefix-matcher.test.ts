import { describe, expect, it } from "vitest";
import { PrefixMatcher } from "../../../src/net/prefix-matcher.js";

describe("PrefixMatcher", () => {
  it("finds an address inside a banned IPv4 range and not next to it", () => {
    const bans = new PrefixMatcher<string>();
    bans.add("192.0.2.0/24", "scanner");
    expect(bans.lookup("192.0.2.200")).toEqual(["scanner"]);
    expect(bans.any("192.0.3.1")).toBe(false);
    expect(bans.any("192.0.1.255")).toBe(false);
  });

  it("returns every range holding an address, the most specific first", () => {
    const ranges = new PrefixMatcher<string>();
    ranges.add("10.0.0.0/8", "/8");
    ranges.add("10.1.0.0/16", "/16");
    ranges.add("10.1.2.3", "/32");
    ranges.add("0.0.0.0/0", "/0");
    expect(ranges.lookup("10.1.2.3")).toEqual(["/32", "/16", "/8", "/0"]);
    expect(ranges.longest("10.1.9.9")).toBe("/16");
    expect(ranges.longest("11.0.0.1")).toBe("/0");
  });

  it("matches IPv6 ranges of any length", () => {
    const ranges = new PrefixMatcher<number>();
    ranges.add("2001:db8:1:2::/64", 64);
    ranges.add("2001:db8:100::/40", 40);
    ranges.add("2001:db8::1/128", 128);
    expect(ranges.lookup("2001:db8:1:2:dead:beef::1")).toEqual([64]);
    expect(ranges.lookup("2001:db8:1:3::1")).toEqual([]);
    expect(ranges.lookup("2001:db8:1ff:ffff::1")).toEqual([40]);
    expect(ranges.lookup("2001:db8:200::1")).toEqual([]);
    expect(ranges.lookup("2001:db8::1")).toEqual([128]);
    expect(ranges.lookup("2001:db8::2")).toEqual([]);
  });

  it("keeps the families apart and unwraps IPv4-mapped addresses", () => {
    const ranges = new PrefixMatcher<string>();
    ranges.add("0.0.0.0/0", "all IPv4");
    expect(ranges.any("::ffff:198.51.100.1")).toBe(true);
    expect(ranges.any("2001:db8::1")).toBe(false);
    ranges.add("::/0", "all IPv6");
    expect(ranges.lookup("2001:db8::1")).toEqual(["all IPv6"]);
  });

  it("replaces the value of a range added twice, whatever its spelling", () => {
    const ranges = new PrefixMatcher<string>();
    ranges.add("2001:DB8:0::/32", "first");
    ranges.add("2001:db8:ffff::/32", "second");
    expect(ranges.size).toBe(1);
    expect(ranges.get("2001:db8::/32")).toBe("second");
    expect([...ranges.entries()]).toEqual([["2001:db8::/32", "second"]]);
  });

  it("forgets a removed range and its prefix length", () => {
    const ranges = new PrefixMatcher<string>();
    ranges.add("198.51.100.0/24", "a");
    ranges.add("198.51.100.7", "b");
    expect(ranges.remove("198.51.100.99/24")).toBe(true);
    expect(ranges.remove("198.51.100.0/24")).toBe(false);
    expect(ranges.lookup("198.51.100.7")).toEqual(["b"]);
    expect(ranges.any("198.51.100.8")).toBe(false);
    expect(ranges.size).toBe(1);
  });

  it("refuses what is not a range and finds nothing for what is not an address", () => {
    const ranges = new PrefixMatcher<string>();
    expect(ranges.add("10.0.0.0/33", "x")).toBe(false);
    expect(ranges.size).toBe(0);
    ranges.add("0.0.0.0/0", "all");
    expect(ranges.lookup("not an ip")).toEqual([]);
    expect(ranges.any("")).toBe(false);
  });

  it("agrees with a plain scan over random ranges", () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const ranges = new PrefixMatcher<string>();
    const list: { start: number; end: number; text: string }[] = [];
    for (let i = 0; i < 300; i++) {
      const prefix = 8 + Math.floor(random() * 25);
      const address = Math.floor(random() * 2 ** 32);
      const size = 2 ** (32 - prefix);
      const start = Math.floor(address / size) * size;
      const text = `${start >>> 24}.${(start >>> 16) & 255}.${(start >>> 8) & 255}.${start & 255}/${prefix}`;
      if (!list.some((r) => r.text === text)) list.push({ start, end: start + size - 1, text });
      ranges.add(text, text);
    }
    for (let i = 0; i < 2000; i++) {
      // Half the probes land inside a known range.
      const known = list[Math.floor(random() * list.length)];
      const address =
        i % 2 === 0 && known
          ? known.start + Math.floor(random() * (known.end - known.start + 1))
          : Math.floor(random() * 2 ** 32);
      const ip = `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
      const expected = list
        .filter((r) => r.start <= address && address <= r.end)
        .sort((a, b) => b.start - a.start || a.end - b.end)
        .map((r) => r.text);
      expect(ranges.lookup(ip).sort(), ip).toEqual(expected.sort());
    }
  });
});
