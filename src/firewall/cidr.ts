import { formatIpWords, type IpFamily, parseCidr } from "../net/cidr.js";

// Parsing and RFC 5952 printing are src/net/cidr.ts's (shared with the ban matcher); this file
// adds what the firewall needs on top: arbitrary ranges back to prefixes, CIDR lists and nft text.

export type Family = IpFamily;

/** An inclusive range of addresses of one family, as integers. */
export interface AddressRange {
  family: Family;
  start: bigint;
  end: bigint;
}

export const BITS: Record<Family, number> = { 4: 32, 6: 128 };

/**
 * Parses "a.b.c.d", "a.b.c.d/n", an IPv6 address or prefix into its range. Host bits below the
 * prefix are ignored (192.0.2.5/24 is 192.0.2.0/24); IPv4-mapped IPv6 becomes IPv4, as the kernel
 * sees such clients. Null when the text is not an address.
 */
export function parseNetwork(text: string): AddressRange | null {
  const cidr = parseCidr(text);
  return cidr && { family: cidr.family, start: cidr.start, end: cidr.end };
}

/** The address as text: dotted quad, or IPv6 in its RFC 5952 compressed form. */
export function formatAddress(family: Family, value: bigint): string {
  const words =
    family === 4
      ? [Number(value)]
      : [96n, 64n, 32n, 0n].map((shift) => Number((value >> shift) & 0xffffffffn));
  return formatIpWords({ family, words });
}

/** The prefix length when the range is exactly one CIDR block, else null. */
export function exactPrefix(range: AddressRange): number | null {
  const size = range.end - range.start + 1n;
  if ((size & (size - 1n)) !== 0n || range.start % size !== 0n) return null;
  return BITS[range.family] - (size.toString(2).length - 1);
}

/** The smallest list of CIDR blocks covering exactly the range, in address order. */
export function rangeToCidrs(range: AddressRange): string[] {
  const bits = BITS[range.family];
  const out: string[] = [];
  let start = range.start;
  while (start <= range.end) {
    // The largest block aligned at `start` that does not run past the end.
    let size = start === 0n ? 1n << BigInt(bits) : start & -start;
    while (start + size - 1n > range.end) size >>= 1n;
    out.push(`${formatAddress(range.family, start)}/${bits - (size.toString(2).length - 1)}`);
    start += size;
  }
  return out;
}

/** The range in nft's interval-set syntax: a bare address, a prefix when exact, else "a-b". */
export function rangeToNft(range: AddressRange): string {
  const first = formatAddress(range.family, range.start);
  if (range.start === range.end) return first;
  const prefix = exactPrefix(range);
  if (prefix !== null) return `${first}/${prefix}`;
  return `${first}-${formatAddress(range.family, range.end)}`;
}
