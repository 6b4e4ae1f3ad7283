import { isIP, isIPv4, isIPv6 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIpWords, ipToBigint, parseCidr, parseIpWords, reputationKey } from "../../../src/net/cidr.js";

/**
 * The reference the fast parser is held to: node:net decides what is an address, and the WHATWG
 * URL parser prints IPv6 in its canonical compressed form (RFC 5952).
 */
function normalizeIp(raw: string): string | null {
  const host = raw.split("%")[0] ?? "";
  if (isIPv4(host)) return host;
  if (!isIPv6(host)) return null;
  const canonical = new URL(`http://[${host}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped?.[1] && mapped[2]) {
    const high = Number.parseInt(mapped[1], 16);
    const low = Number.parseInt(mapped[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return canonical;
}

describe("parseCidr", () => {
  it("reads an IPv4 range and clears its host bits", () => {
    expect(parseCidr("192.0.2.77/24")).toEqual({
      family: 4,
      start: 0xc0000200n,
      end: 0xc00002ffn,
      prefix: 24,
      text: "192.0.2.0/24",
    });
  });

  it("reads a bare address as a single-address range", () => {
    expect(parseCidr("203.0.113.9")).toMatchObject({ prefix: 32, text: "203.0.113.9/32" });
    expect(parseCidr("2001:DB8::1")).toMatchObject({ family: 6, prefix: 128, text: "2001:db8::1/128" });
  });

  it("reads an IPv6 range in canonical compressed form", () => {
    const cidr = parseCidr("2001:0db8:0000:0000:abcd:0000:0000:0001/64");
    expect(cidr?.text).toBe("2001:db8::/64");
    expect(cidr?.start).toBe(0x20010db8000000000000000000000000n);
    expect(cidr?.end).toBe(0x20010db800000000ffffffffffffffffn);
  });

  it("unwraps IPv4-mapped IPv6, counting the prefix from the IPv4 part", () => {
    expect(parseCidr("::ffff:192.0.2.1")?.text).toBe("192.0.2.1/32");
    expect(parseCidr("::ffff:c000:0201/120")?.text).toBe("192.0.2.0/24");
    expect(parseCidr("::ffff:192.0.2.0/64")).toBeNull();
  });

  it("takes a /0 as everything", () => {
    expect(parseCidr("0.0.0.0/0")).toMatchObject({ start: 0n, end: 0xffffffffn, text: "0.0.0.0/0" });
    expect(parseCidr("::/0")?.end).toBe((1n << 128n) - 1n);
  });

  it("refuses what is not a range", () => {
    for (const bad of [
      "",
      "192.0.2.1/33",
      "2001:db8::/129",
      "192.0.2.1/",
      "192.0.2.1/-1",
      "192.0.2.1/2x",
      "256.0.0.1",
      "01.2.3.4",
      "1.2.3",
      "1.2.3.4.5",
      "1::2::3",
      "12345::",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      ":1::",
      "1.2.3.4::",
      "example.org",
    ]) {
      expect(parseCidr(bad), bad).toBeNull();
    }
  });
});

describe("addresses", () => {
  it("print exactly as normalizeIp does", () => {
    for (const ip of [
      "2001:db8::1",
      "2001:db8:0:0:1:0:0:1",
      "2001:0:0:1::1",
      "::",
      "::1",
      "1::",
      "fe80::1:2:3:4",
      "2001:db8:1:2:3:4:5:6",
      "0:0:1::",
      "64:ff9b::192.0.2.1",
      "::ffff:10.1.2.3",
      "10.1.2.3",
    ]) {
      const words = parseIpWords(ip);
      expect(words, ip).not.toBeNull();
      if (words) expect(formatIpWords(words), ip).toBe(normalizeIp(ip));
    }
  });

  it("ignore a zone", () => {
    expect(parseIpWords("fe80::1%eth0")).toEqual(parseIpWords("fe80::1"));
  });

  it("convert to numbers", () => {
    expect(ipToBigint("255.255.255.255")).toEqual({ family: 4, value: 0xffffffffn });
    expect(ipToBigint("::ffff:0.0.0.1")).toEqual({ family: 4, value: 1n });
    expect(ipToBigint("ffff::")).toEqual({ family: 6, value: 0xffffn << 112n });
    expect(ipToBigint("nope")).toBeNull();
  });
});

describe("reputationKey", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(reputationKey("203.0.113.9")).toBe("203.0.113.9");
    expect(reputationKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
  });

  it("gives every address of one IPv6 /64 the same key", () => {
    expect(reputationKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(reputationKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(reputationKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
  });

  it("follows a configured prefix length", () => {
    expect(reputationKey("2001:db8:1:2::1", 48)).toBe("2001:db8:1::/48");
    expect(reputationKey("2001:db8:1:2::1", 128)).toBe("2001:db8:1:2::1");
    expect(reputationKey("198.51.100.7", 64, 24)).toBe("198.51.100.0/24");
  });

  it("is null for what is not an address", () => {
    expect(reputationKey("unknown")).toBeNull();
  });
});

describe("the hand-written parser", () => {
  it("accepts exactly what node:net accepts and prints what normalizeIp prints", () => {
    fc.assert(
      fc.property(addressLike, (text) => {
        const words = parseIpWords(text);
        expect(words !== null, text).toBe(isIP(text) !== 0);
        if (words) expect(formatIpWords(words), text).toBe(normalizeIp(text));
      }),
      { numRuns: 5000 },
    );
  });
});

/** IPv6 written every way (zero runs compressed or not, upper case, a trailing quad), plus junk. */
const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const v6Text = fc
  .tuple(
    fc.array(group, { minLength: 8, maxLength: 8 }),
    fc.integer({ min: -1, max: 7 }),
    fc.integer({ min: 0, max: 8 }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([gs, gapStart, gapLength, upper, quad]) => {
    const hex = gs.map((g) => g.toString(16));
    let text: string;
    if (gapStart < 0) text = hex.join(":");
    else {
      const end = Math.min(8, gapStart + gapLength);
      text = `${hex.slice(0, gapStart).join(":")}::${hex.slice(end).join(":")}`;
    }
    if (quad)
      text = text.replace(/[0-9a-f]+:[0-9a-f]+$/, (m) => {
        const [hi, lo] = m.split(":").map((h) => Number.parseInt(h, 16)) as [number, number];
        return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
      });
    return upper ? text.toUpperCase() : text;
  });
const v4Text = fc
  .array(fc.integer({ min: 0, max: 300 }), { minLength: 3, maxLength: 5 })
  .map((parts) => parts.join("."));
const junk = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF:.x "), maxLength: 24 });
const addressLike = fc.oneof(
  v6Text,
  v4Text,
  junk,
  v6Text.map((t) => `::ffff:${t.split(":").pop()}`),
);
