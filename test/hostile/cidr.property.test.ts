import { BlockList } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ipToBigint, parseCidr } from "../../src/net/cidr.js";

/** An address as a number, written out by hand: the reference the parser is checked against. */
const v4Text = (n: bigint) => [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join(".");
const v6Text = (n: bigint) =>
  Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(":");

const family = fc.constantFrom(4 as const, 6 as const);
const range = family.chain((f) => {
  const bits = f === 4 ? 32 : 128;
  return fc.record({
    family: fc.constant(f),
    address: fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
    prefix: fc.integer({ min: 0, max: bits }),
    // Probes: one inside the range (random host bits), one anywhere.
    hostBits: fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
    anywhere: fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
  });
});
// A v6 range inside ::ffff:0:0/96 would be read as IPv4 (mapped addresses are unwrapped).
const notMapped = (r: { family: 4 | 6; address: bigint }) => r.family === 4 || r.address >> 32n !== 0xffffn;

describe("parseCidr on generated ranges", () => {
  it("clears host bits, and its bounds agree with bit arithmetic and with node:net's BlockList", () => {
    fc.assert(
      fc.property(range.filter(notMapped), ({ family: f, address, prefix, hostBits, anywhere }) => {
        const bits = f === 4 ? 32 : 128;
        const text = f === 4 ? v4Text : v6Text;
        const hostMask = (1n << BigInt(bits - prefix)) - 1n;
        const network = address & ~hostMask;
        const cidr = parseCidr(`${text(address)}/${prefix}`);
        expect(cidr).not.toBeNull();
        if (!cidr) return;
        expect(cidr.family).toBe(f);
        expect(cidr.prefix).toBe(prefix);
        expect(cidr.start).toBe(network);
        expect(cidr.end).toBe(network | hostMask);
        // Canonical text names the network, and reads back to itself.
        expect(ipToBigint(cidr.text.split("/")[0] ?? "")?.value).toBe(network);
        expect(parseCidr(cidr.text)?.text).toBe(cidr.text);

        const list = new BlockList();
        list.addSubnet(text(network), prefix, f === 4 ? "ipv4" : "ipv6");
        const inside = network | (hostBits & hostMask);
        for (const probe of [inside, anywhere, network, network | hostMask]) {
          const within = probe >= cidr.start && probe <= cidr.end;
          expect(list.check(text(probe), f === 4 ? "ipv4" : "ipv6"), text(probe)).toBe(within);
        }
        expect(list.check(text(inside), f === 4 ? "ipv4" : "ipv6")).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("reads an IPv4-mapped range of /96 or longer as the IPv4 range, and refuses a shorter one", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 0xffffffffn }),
        fc.integer({ min: 0, max: 128 }),
        (v4, prefix) => {
          const cidr = parseCidr(`::ffff:${v4Text(v4)}/${prefix}`);
          if (prefix < 96) {
            expect(cidr).toBeNull();
            return;
          }
          const hostMask = (1n << BigInt(128 - prefix)) - 1n;
          expect(cidr?.family).toBe(4);
          expect(cidr?.text).toBe(`${v4Text(v4 & ~hostMask)}/${prefix - 96}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a prefix past the address width, or one that is not plain digits", () => {
    fc.assert(
      fc.property(
        range,
        fc.oneof(
          fc.integer({ min: 129, max: 999 }).map(String),
          fc.constantFrom("", "-1", "+8", "0x10", "8.0", " 8", "1e1", "٣", "24/24", "0024"),
        ),
        ({ family: f, address }, prefix) => {
          const text = f === 4 ? v4Text(address) : v6Text(address);
          expect(parseCidr(`${text}/${prefix}`), `${text}/${prefix}`).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });

  it("never throws on arbitrary text, and whatever it accepts is canonical and reads back the same", () => {
    const cidrLike = fc.oneof(
      fc.string({ unit: "binary", maxLength: 60 }),
      fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF:./%x "), maxLength: 50 }),
    );
    fc.assert(
      fc.property(cidrLike, (text) => {
        const cidr = parseCidr(text);
        if (cidr === null) return;
        expect(cidr.start <= cidr.end).toBe(true);
        expect(parseCidr(cidr.text)).toEqual(cidr);
      }),
      { numRuns: 1000 },
    );
  });
});
