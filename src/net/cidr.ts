/**
 * IP addresses and CIDR ranges as numbers: parsing, canonical text, and the reputation key.
 *
 * Addresses are parsed by hand rather than through `new URL` so the ban matcher can parse the
 * address of every login in well under a microsecond. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is
 * unwrapped everywhere: one client has one address, whichever socket family it came in on.
 */

export type IpFamily = 4 | 6;

/** An address as 32-bit words: one for IPv4, four (most significant first) for IPv6. */
export interface IpWords {
  family: IpFamily;
  words: number[];
}

/** A CIDR range; `start` and `end` are the first and last address, `text` is canonical `a.b.c.d/n`. */
export interface Cidr {
  family: IpFamily;
  start: bigint;
  end: bigint;
  prefix: number;
  text: string;
}

/** A parsed range with its network address as words (host bits cleared). */
export interface Network extends IpWords {
  prefix: number;
}

/** Parses a bare IPv4 or IPv6 address (zone ignored, mapped IPv4 unwrapped); null if it is not one. */
export function parseIpWords(text: string): IpWords | null {
  const parsed = parseAddress(text);
  return parsed ? { family: parsed.family, words: parsed.words } : null;
}

/** The address as a number (IPv4 up to 2^32, IPv6 up to 2^128), with its family; null if invalid. */
export function ipToBigint(ip: string): { family: IpFamily; value: bigint } | null {
  const parsed = parseAddress(ip);
  return parsed ? { family: parsed.family, value: wordsToBigint(parsed.words) } : null;
}

/** Canonical text of an address given as words (RFC 5952 for IPv6). */
export function formatIpWords(address: IpWords): string {
  const { family, words } = address;
  if (family === 4) {
    const w = words[0] ?? 0;
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  }
  const groups: number[] = [];
  for (const w of words) groups.push(w >>> 16, w & 0xffff);
  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/**
 * Parses `a.b.c.d/n`, `v6/n` or a bare address (a /32 or /128). Host bits are cleared, so
 * `192.0.2.7/24` is `192.0.2.0/24`. A mapped IPv4 range `::ffff:192.0.2.0/120` becomes
 * `192.0.2.0/24`; a mapped range shorter than /96 is refused, as it is not IPv4 any more.
 */
export function parseCidr(text: string): Cidr | null {
  const network = parseNetwork(text);
  if (!network) return null;
  const bits = network.family === 4 ? 32 : 128;
  const start = wordsToBigint(network.words);
  const hostMask = (1n << BigInt(bits - network.prefix)) - 1n;
  return {
    family: network.family,
    start,
    end: start | hostMask,
    prefix: network.prefix,
    text: `${formatIpWords(network)}/${network.prefix}`,
  };
}

/** Like `parseCidr`, but as words for the matcher, which avoids bigint on its hot paths. */
export function parseNetwork(text: string): Network | null {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  const address = parseAddress(slash < 0 ? trimmed : trimmed.slice(0, slash));
  if (!address) return null;
  const bits = address.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const prefixText = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    if (address.mapped) {
      if (prefix < 96 || prefix > 128) return null;
      prefix -= 96;
    }
    if (prefix > bits) return null;
  }
  return { family: address.family, words: maskWords(address.words, prefix), prefix };
}

/**
 * The key reputation is kept under: an IPv4 address itself (or its /v4Prefix network), an IPv6
 * address's /v6Prefix network (a /64 is one subscriber line, and a host picks any address in it).
 * Null when `ip` is not an address.
 */
export function reputationKey(ip: string, v6Prefix = 64, v4Prefix = 32): string | null {
  const address = parseAddress(ip);
  if (!address) return null;
  const prefix = address.family === 4 ? v4Prefix : v6Prefix;
  const bits = address.family === 4 ? 32 : 128;
  const network = { family: address.family, words: maskWords(address.words, prefix) };
  return prefix === bits ? formatIpWords(network) : `${formatIpWords(network)}/${prefix}`;
}

/** The words with every bit after the first `prefix` cleared. */
export function maskWords(words: readonly number[], prefix: number): number[] {
  return words.map((w, i) => {
    const keep = prefix - 32 * i;
    if (keep >= 32) return w;
    if (keep <= 0) return 0;
    return (w & (0xffffffff << (32 - keep))) >>> 0;
  });
}

function wordsToBigint(words: readonly number[]): bigint {
  let value = 0n;
  for (const w of words) value = (value << 32n) | BigInt(w);
  return value;
}

interface ParsedAddress extends IpWords {
  /** Written as IPv4-mapped IPv6; CIDR prefixes then count from the IPv6 start. */
  mapped: boolean;
}

const COLON = 58;
const DOT = 46;

// The eight 16-bit groups of the IPv6 address being parsed; parsing never re-enters, so one
// scratch array serves every call without allocating.
const groups = [0, 0, 0, 0, 0, 0, 0, 0];

function parseAddress(raw: string): ParsedAddress | null {
  const zone = raw.indexOf("%");
  const text = zone < 0 ? raw : raw.slice(0, zone);
  if (text.length === 0 || text.length > 45) return null;
  if (text.indexOf(":") < 0) {
    const v4 = parseV4(text, 0);
    return v4 < 0 ? null : { family: 4, words: [v4], mapped: false };
  }
  if (!parseV6(text)) return null;
  const words = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++)
    words[i] = (((groups[2 * i] as number) << 16) | (groups[2 * i + 1] as number)) >>> 0;
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) {
    return { family: 4, words: [words[3] as number], mapped: true };
  }
  return { family: 6, words, mapped: false };
}

/**
 * A dotted quad from `start` to the end of `text` as an unsigned number, or -1. Leading zeros
 * are refused: some tools read `010` as octal, so its meaning is ambiguous.
 */
function parseV4(text: string, start: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else if (c === DOT) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  return digits === 0 || dots !== 3 ? -1 : value * 256 + part;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Fills `groups` from IPv6 text (with `::` expanded and an optional trailing dotted quad). */
function parseV6(text: string): boolean {
  const length = text.length;
  let count = 0;
  let gapAt = -1;
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return false;
    gapAt = 0;
    i = 2;
  }
  while (i < length) {
    const start = i;
    let value = 0;
    let digits = 0;
    for (let d = hexDigit(text.charCodeAt(i)); d >= 0 && i < length; d = hexDigit(text.charCodeAt(i))) {
      value = value * 16 + d;
      digits++;
      i++;
    }
    if (i < length && text.charCodeAt(i) === DOT) {
      const v4 = count <= 6 ? parseV4(text, start) : -1;
      if (v4 < 0) return false;
      groups[count++] = Math.floor(v4 / 65536);
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    groups[count++] = value;
    if (i === length) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (text.charCodeAt(i) === COLON) {
      if (gapAt >= 0) return false;
      gapAt = count;
      i++;
    } else if (i === length) {
      return false;
    }
  }
  if (gapAt < 0) return count === 8;
  if (count > 7) return false;
  // Slide the groups after the gap to the end and zero the gap.
  const moved = count - gapAt;
  for (let k = 1; k <= moved; k++) groups[8 - k] = groups[count - k] as number;
  for (let k = gapAt; k < 8 - moved; k++) groups[k] = 0;
  return true;
}
