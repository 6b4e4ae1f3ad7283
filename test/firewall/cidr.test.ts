import { describe, expect, it } from "vitest";
import {
  exactPrefix,
  formatAddress,
  parseNetwork,
  rangeToCidrs,
  rangeToNft,
} from "../../src/firewall/cidr.js";

const v4 = (text: string) => parseNetwork(text);

describe("parseNetwork", () => {
  it("reads a bare IPv4 address as a single address", () => {
    expect(v4("192.0.2.7")).toEqual({ family: 4, start: 0xc0000207n, end: 0xc0000207n });
  });

  it("reads an IPv4 prefix and ignores host bits below it", () => {
    expect(v4("192.0.2.5/24")).toEqual({ family: 4, start: 0xc0000200n, end: 0xc00002ffn });
    expect(v4("0.0.0.0/0")).toEqual({ family: 4, start: 0n, end: 0xffffffffn });
  });

  it("reads IPv6 addresses in every notation", () => {
    expect(parseNetwork("2001:db8::/32")).toEqual({
      family: 6,
      start: 0x20010db8n << 96n,
      end: (0x20010db9n << 96n) - 1n,
    });
    expect(parseNetwork("::1")?.start).toBe(1n);
    expect(parseNetwork("::")?.start).toBe(0n);
    expect(parseNetwork("2001:db8:0:0:0:0:0:1")?.start).toBe((0x20010db8n << 96n) + 1n);
    expect(parseNetwork("2001:db8::1.2.3.4")?.start).toBe((0x20010db8n << 96n) + 0x01020304n);
  });

  it("unwraps IPv4-mapped IPv6 into IPv4, prefixes included", () => {
    expect(parseNetwork("::ffff:192.0.2.1")).toEqual(v4("192.0.2.1"));
    expect(parseNetwork("::ffff:c000:201")).toEqual(v4("192.0.2.1"));
    expect(parseNetwork("::ffff:192.0.2.0/120")).toEqual(v4("192.0.2.0/24"));
  });

  it("refuses what is not an address", () => {
    for (const bad of [
      "",
      "192.0.2",
      "192.0.2.1/33",
      "2001:db8::/129",
      "example.org",
      "1.2.3.4/24/1",
      "1.2.3.4/-1",
    ]) {
      expect(parseNetwork(bad), bad).toBeNull();
    }
  });
});

describe("formatAddress", () => {
  it("prints IPv6 in RFC 5952 form: lowercase, longest zero run compressed", () => {
    const text = (s: string) => {
      const r = parseNetwork(s);
      return r && formatAddress(6, r.start);
    };
    expect(text("2001:DB8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(text("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1");
    expect(text("::")).toBe("::");
    expect(text("::1")).toBe("::1");
    expect(text("1::")).toBe("1::");
  });
});

describe("ranges back to CIDRs and nft elements", () => {
  it("recognises an exact prefix", () => {
    expect(exactPrefix({ family: 4, start: 0xc0000200n, end: 0xc00002ffn })).toBe(24);
    expect(exactPrefix({ family: 4, start: 0xc0000201n, end: 0xc00002ffn })).toBeNull();
  });

  it("splits a range into the fewest CIDRs", () => {
    const range = { family: 4 as const, start: 0xc0000201n, end: 0xc00002ffn };
    expect(rangeToCidrs(range)).toEqual([
      "192.0.2.1/32",
      "192.0.2.2/31",
      "192.0.2.4/30",
      "192.0.2.8/29",
      "192.0.2.16/28",
      "192.0.2.32/27",
      "192.0.2.64/26",
      "192.0.2.128/25",
    ]);
    expect(rangeToCidrs({ family: 6, start: 0n, end: (1n << 128n) - 1n })).toEqual(["::/0"]);
  });

  it("renders a prefix when exact, a bare address when single, a range otherwise", () => {
    expect(rangeToNft({ family: 4, start: 0xc0000200n, end: 0xc00002ffn })).toBe("192.0.2.0/24");
    expect(rangeToNft({ family: 4, start: 0xc0000207n, end: 0xc0000207n })).toBe("192.0.2.7");
    expect(rangeToNft({ family: 4, start: 0xc0000201n, end: 0xc0000209n })).toBe("192.0.2.1-192.0.2.9");
    expect(rangeToNft({ family: 6, start: 1n, end: 5n })).toBe("::1-::5");
  });
});
