import { isIPv4, isIPv6 } from "node:net";

export type Family = 4 | 6;

/** An inclusive range of addresses of one family, as integers. */
export interface AddressRange {
  family: Family;
  start: bigint;
  end: bigint;
}

export const BITS: Record<Family, number> = { 4: 32, 6: 128 };
const MAPPED_PREFIX = 0xffffn << 32n; // ::ffff:0:0/96

/**
 * Parses "a.b.c.d", "a.b.c.d/n", an IPv6 address or prefix. Host bits below the prefix are
 * ignored (192.0.2.5/24 is 192.0.2.0/24, as PostgreSQL's inet allows). IPv4-mapped IPv6
 * (::ffff:192.0.2.1, ::ffff:192.0.2.0/120) becomes IPv4: the kernel sees such clients as IPv4.
 * Null when the text is not an address.
 */
export function parseNetwork(text: string): AddressRange | null {
  const [address = "", length, extra] = text.trim().split("/");
  if (extra !== undefined) return null;
  const parsed = parseAddress(address);
  if (!parsed) return null;
  const bits = BITS[parsed.family];
  let prefix = bits;
  if (length !== undefined) {
    if (!/^\d{1,3}$/.test(length) || Number(length) > bits) return null;
    prefix = Number(length);
  }
  let { family, value } = parsed;
  if (family === 6 && prefix >= 96 && value >> 32n === MAPPED_PREFIX >> 32n) {
    family = 4;
    value &= 0xffffffffn;
    prefix -= 96;
  }
  const size = 1n << BigInt(BITS[family] - prefix);
  const start = value - (value % size);
  return { family, start, end: start + size - 1n };
}

function parseAddress(text: string): { family: Family; value: bigint } | null {
  if (isIPv4(text)) return { family: 4, value: parseV4(text) };
  if (!isIPv6(text) || text.includes("%")) return null;
  // An embedded IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
  let head = text;
  let tail: bigint[] = [];
  const dotted = /^(.*):(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[2] !== undefined) {
    const v4 = parseV4(dotted[2]);
    tail = [v4 >> 16n, v4 & 0xffffn];
    head = dotted[1]?.endsWith(":") ? `${dotted[1]}:` : (dotted[1] ?? "");
  }
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => BigInt(`0x${g}`)));
  const [left = "", right] = head.split("::");
  const high = groups(left);
  const low = right === undefined ? [] : groups(right);
  const zeros = right === undefined ? [] : Array<bigint>(8 - tail.length - high.length - low.length).fill(0n);
  const all = [...high, ...zeros, ...low, ...tail];
  return { family: 6, value: all.reduce((acc, g) => (acc << 16n) | g, 0n) };
}

function parseV4(text: string): bigint {
  return text.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
}

/** The address as text: dotted quad, or IPv6 in its RFC 5952 compressed form. */
export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // The longest run of two or more zero groups becomes "::" (the first one on a tie).
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.length).join(":")}`;
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
