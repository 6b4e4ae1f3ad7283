import { isIP, isIPv6 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serviceName } from "../../src/http/dovecot-token.js";
import { normalizeIp, parseRemoteAddress } from "../../src/net/remote-address.js";

const octet = fc.integer({ min: 0, max: 255 });
const v4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
const port = fc.integer({ min: 0, max: 65535 });
const groups = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
  minLength: 8,
  maxLength: 8,
});
/** Eight groups written out in full, and the canonical text WHATWG's URL parser gives them. */
const v6 = groups
  .filter((g) => !(g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff))
  .map((g) => {
    const full = g.map((x) => x.toString(16)).join(":");
    return { full, canonical: new URL(`http://[${full}]/`).hostname.slice(1, -1) };
  });

/** What Dovecot might send, what a proxy might mangle, and plain junk. */
const headerLike = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF:.[]%/ -x"), maxLength: 50 }),
  fc.tuple(v4, port).map(([a, p]) => `${a}:${p}`),
  fc.tuple(v6, port).map(([a, p]) => `[${a.full}]:${p}`),
);

describe("parseRemoteAddress on generated headers", () => {
  it("never throws, and gives null or a canonical address node:net accepts", () => {
    fc.assert(
      fc.property(headerLike, (header) => {
        const ip = parseRemoteAddress(header);
        if (ip === null) return;
        expect(isIP(ip), header).not.toBe(0);
        expect(normalizeIp(ip)).toBe(ip);
        expect(ip).toBe(ip.toLowerCase());
      }),
      { numRuns: 1000 },
    );
  });

  it("reads IPv4 bare, with a port, and as IPv4-mapped IPv6 in any spelling, as the same dotted quad", () => {
    fc.assert(
      fc.property(v4, port, (address, p) => {
        const [a = 0, b = 0, c = 0, d = 0] = address.split(".").map(Number);
        const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        for (const header of [
          address,
          `${address}:${p}`,
          ` ${address}:${p}\t`,
          `::ffff:${address}`,
          `::FFFF:${hex.toUpperCase()}`,
          `[::ffff:${address}]:${p}`,
          `[0:0:0:0:0:ffff:${hex}]:${p}`,
        ]) {
          expect(parseRemoteAddress(header), header).toBe(address);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("reads IPv6 bare, bracketed with a port, and with a zone as the same RFC 5952 text", () => {
    fc.assert(
      fc.property(v6, port, fc.stringMatching(/^[a-z0-9]{1,8}$/), ({ full, canonical }, p, zone) => {
        for (const header of [full, full.toUpperCase(), `[${full}]:${p}`, `[${full}]`, `${full}%${zone}`]) {
          const ip = parseRemoteAddress(header);
          expect(ip, header).toBe(canonical);
          expect(isIPv6(ip ?? "")).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("gives null for an address followed by junk, a port past five digits, or a header over 64 characters", () => {
    fc.assert(
      fc.property(
        v4,
        fc.oneof(
          fc.constantFrom(":", ":123456", ":-1", ":x", "/24", " 1", ";", "\0", "\r\nX-Injected: 1"),
          // "%" starts a zone, which is dropped; blanks alone are trimmed.
          fc.stringMatching(/^[^0-9%]{1,5}$/).filter((s) => s.trim() !== ""),
        ),
        (address, junk) => {
          expect(parseRemoteAddress(`${address}${junk}`), junk).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
    expect(parseRemoteAddress(`${"0:".repeat(30)}:1`)).toBeNull();
  });
});

describe("serviceName on generated headers", () => {
  it("gives a short lowercase token or 'unknown', so a metric label cannot grow without bound", () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: "binary", maxLength: 60 }), { nil: undefined }), (header) => {
        const name = serviceName(header);
        expect(name).toMatch(/^[a-z0-9-]{1,32}$/);
        const wanted = header?.trim().toLowerCase() ?? "";
        expect(name).toBe(/^[a-z0-9-]{1,32}$/.test(wanted) ? wanted : "unknown");
      }),
      { numRuns: 1000 },
    );
  });

  it("ignores case and surrounding blanks", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9-]{1,32}$/), fc.boolean(), (name, upper) => {
        expect(serviceName(` ${upper ? name.toUpperCase() : name}\t`)).toBe(name);
      }),
      { numRuns: 200 },
    );
  });
});
