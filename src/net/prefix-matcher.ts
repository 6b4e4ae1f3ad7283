import { formatIpWords, type IpWords, parseIpWords, parseNetwork } from "./cidr.js";

/**
 * Many CIDR ranges with a value each, answering "which ranges hold this address" in well under
 * a microsecond. Used for the ban list and the allowlist.
 *
 * One hash map per prefix length in use: a lookup masks the address to each length present and
 * asks that map. Ban lists use a handful of lengths (/32, /24, /64, /48...), so a lookup is a few
 * map reads, and adding or removing one range is O(1) with no rebuild, which matters as bans
 * arrive one by one from other instances. A binary trie would walk up to 128 nodes per IPv6
 * lookup; sorted interval arrays need a rebuild per change and cannot hold overlapping ranges.
 * bench/matcher.ts measures it, including the worst case of every length in use.
 */
export class PrefixMatcher<T> {
  private readonly families = { 4: new FamilyTable<T>(32), 6: new FamilyTable<T>(128) };

  /** Adds or replaces the value of a range; false (and nothing stored) when `cidr` is not one. */
  add(cidr: string, value: T): boolean {
    const network = parseNetwork(cidr);
    if (!network) return false;
    this.families[network.family].set(network, `${formatIpWords(network)}/${network.prefix}`, value);
    return true;
  }

  /** Removes a range (given in any spelling); false if it was not there. */
  remove(cidr: string): boolean {
    const network = parseNetwork(cidr);
    return network ? this.families[network.family].delete(network) : false;
  }

  /** The value stored for exactly this range. */
  get(cidr: string): T | undefined {
    const network = parseNetwork(cidr);
    return network ? this.families[network.family].get(network)?.value : undefined;
  }

  /** Values of every range holding `ip`, the most specific first; empty for an invalid address. */
  lookup(ip: string): T[] {
    const address = parseIpWords(ip);
    return address ? this.families[address.family].matches(address, Number.POSITIVE_INFINITY) : [];
  }

  /** The value of the most specific range holding `ip`. */
  longest(ip: string): T | undefined {
    const address = parseIpWords(ip);
    return address ? this.families[address.family].matches(address, 1)[0] : undefined;
  }

  /** Whether any range holds `ip`. */
  any(ip: string): boolean {
    const address = parseIpWords(ip);
    return address ? this.families[address.family].matches(address, 1).length > 0 : false;
  }

  /** Every range as canonical CIDR text with its value. */
  *entries(): IterableIterator<[string, T]> {
    for (const table of [this.families[4], this.families[6]]) yield* table.entries();
  }

  get size(): number {
    return this.families[4].size + this.families[6].size;
  }

  clear(): void {
    this.families[4].clear();
    this.families[6].clear();
  }
}

interface Entry<T> {
  text: string;
  value: T;
}

/** The ranges of one family: map per prefix length, keyed by the masked address. */
class FamilyTable<T> {
  private readonly byLength = new Map<number, Map<string | number, Entry<T>>>();
  /** Lengths in use, longest first, so the first match is the most specific. */
  private lengths: number[] = [];
  size = 0;

  constructor(private readonly bits: 32 | 128) {}

  set(network: IpWords & { prefix: number }, text: string, value: T): void {
    let table = this.byLength.get(network.prefix);
    if (!table) {
      table = new Map();
      this.byLength.set(network.prefix, table);
      this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
    }
    const key = keyAt(network.words, network.prefix, this.bits);
    if (!table.has(key)) this.size++;
    table.set(key, { text, value });
  }

  get(network: IpWords & { prefix: number }): Entry<T> | undefined {
    return this.byLength.get(network.prefix)?.get(keyAt(network.words, network.prefix, this.bits));
  }

  delete(network: IpWords & { prefix: number }): boolean {
    const table = this.byLength.get(network.prefix);
    if (!table?.delete(keyAt(network.words, network.prefix, this.bits))) return false;
    this.size--;
    if (table.size === 0) {
      this.byLength.delete(network.prefix);
      this.lengths = this.lengths.filter((length) => length !== network.prefix);
    }
    return true;
  }

  matches(address: IpWords, limit: number): T[] {
    const found: T[] = [];
    for (const length of this.lengths) {
      const entry = this.byLength.get(length)?.get(keyAt(address.words, length, this.bits));
      if (entry) {
        found.push(entry.value);
        if (found.length >= limit) break;
      }
    }
    return found;
  }

  *entries(): IterableIterator<[string, T]> {
    for (const table of this.byLength.values()) {
      for (const entry of table.values()) yield [entry.text, entry.value];
    }
  }

  clear(): void {
    this.byLength.clear();
    this.lengths = [];
    this.size = 0;
  }
}

/**
 * The first `length` bits of an address as a map key: a number for IPv4 (cheapest to hash), the
 * masked words joined for IPv6. Keys of different lengths live in different maps, so they never
 * need to be told apart.
 */
function keyAt(words: readonly number[], length: number, bits: 32 | 128): string | number {
  if (bits === 32) return length === 0 ? 0 : (words[0] ?? 0) >>> (32 - length);
  const whole = length >>> 5;
  const rest = length & 31;
  let key = "";
  for (let i = 0; i < whole; i++) key += `${words[i]}:`;
  if (rest > 0) key += `${(words[whole] ?? 0) >>> (32 - rest)}`;
  return key;
}
