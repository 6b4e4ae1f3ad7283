import { describe, expect, it } from "vitest";
import { parseSetJson } from "../../src/firewall/kernel-set.js";
import { compareSet, diffSets } from "../../src/firewall/verify.js";

// Shaped like `nft -j list set inet mailauth ban4` from nftables 1.0.6.
const LISTING = JSON.stringify({
  nftables: [
    { metainfo: { version: "1.0.6", json_schema_version: 1 } },
    {
      set: {
        family: "inet",
        name: "ban4",
        table: "mailauth",
        type: "ipv4_addr",
        flags: ["interval", "timeout"],
        elem: [
          { elem: { val: { prefix: { addr: "192.0.2.0", len: 24 } }, timeout: 100, expires: 99 } },
          { range: ["198.51.100.1", "198.51.100.5"] },
          "203.0.113.7",
        ],
      },
    },
  ],
});
const NOW = new Date("2026-01-01T00:00:00Z");
const epoch = NOW.getTime() / 1000;

describe("parseSetJson", () => {
  it("reads prefixes, ranges and single addresses, with their timeouts", () => {
    expect(parseSetJson(LISTING, 4)).toEqual([
      { start: 0xc0000200n, end: 0xc00002ffn, timeout: 100, expires: 99 },
      { start: 0xc6336401n, end: 0xc6336405n, timeout: null, expires: null },
      { start: 0xcb007107n, end: 0xcb007107n, timeout: null, expires: null },
    ]);
  });

  it("reads an empty set, and refuses output without a set", () => {
    expect(parseSetJson(JSON.stringify({ nftables: [{ set: { name: "ban6" } }] }), 6)).toEqual([]);
    expect(() => parseSetJson(JSON.stringify({ nftables: [] }), 4)).toThrow("no set in the output");
    expect(() => parseSetJson(LISTING, 6)).toThrow("unexpected element");
  });
});

describe("compareSet", () => {
  const kernel = parseSetJson(LISTING, 4);
  const expected = [
    { start: 0xc0000200n, end: 0xc00002ffn, expires: epoch + 100 },
    { start: 0xc6336401n, end: 0xc6336405n, expires: null },
    { start: 0xcb007107n, end: 0xcb007107n, expires: null },
  ];

  it("finds nothing to report when the kernel holds the export", () => {
    expect(compareSet(4, expected, kernel, NOW)).toEqual([]);
  });

  it("reports missing and unexpected elements and wrong timeouts", () => {
    const wanted = [
      { start: 0xc0000200n, end: 0xc00002ffn, expires: epoch + 3600 },
      { start: 0xc6336401n, end: 0xc6336405n, expires: epoch + 60 },
      { start: 0xcb007108n, end: 0xcb007108n, expires: null },
    ];
    expect(compareSet(4, wanted, kernel, NOW)).toEqual([
      "192.0.2.0/24 has timeout 100, should be 3600s",
      "198.51.100.1-198.51.100.5 has timeout none, should be 60s",
      "missing 203.0.113.8",
      "unexpected 203.0.113.7",
    ]);
  });

  it("forgives an element missing because it expired between the apply and the read-back, only that one", () => {
    const wanted = [
      ...expected,
      { start: 0x0a000001n, end: 0x0a000001n, expires: epoch + 30 },
      { start: 0x0a000002n, end: 0x0a000002n, expires: epoch + 90 },
    ];
    const readAt = new Date(NOW.getTime() + 60_000);
    expect(compareSet(4, wanted, kernel, NOW, readAt)).toEqual(["missing 10.0.0.2"]);
    expect(compareSet(4, wanted, kernel, NOW)).toEqual(["missing 10.0.0.1", "missing 10.0.0.2"]);
  });
});

describe("diffSets", () => {
  it("names what a sync added and removed, by network only", () => {
    const before = parseSetJson(LISTING, 4);
    const after = [
      { ...(before[0] as (typeof before)[0]), timeout: 900 },
      { start: 1n, end: 1n, timeout: null, expires: null },
    ];
    expect(diffSets(4, before, after)).toEqual({
      added: ["0.0.0.1"],
      removed: ["198.51.100.1-198.51.100.5", "203.0.113.7"],
    });
  });
});
