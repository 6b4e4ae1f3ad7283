import { formatIpWords, type IpWords, type Network, parseIpWords, parseNetwork } from "./cidr.js";

/**
 * Many CIDR ranges with a value each, answering "which ranges hold this address" in well under
 * a microsecond. Used for the ban list and the allowlist.
 *
 * One hash table per prefix length in use: a lookup masks the address to each length present
 * and reads that table. Ban lists use a handful of lengths (/32, /24, /64, /48...), so a lookup
 * is a few reads, and adding or removing a range is O(1) with no rebuild, which matters as bans
 * arrive one by one from other instances. A binary trie walks up to 128 nodes per IPv6 lookup
 * and costs a node per bit of every entry; sorted interval arrays need a rebuild per change and
 * cannot hold overlapping ranges. bench/matcher.ts measures it, including every length in use.
 */
export class PrefixMatcher<T> {
  private readonly v4 = new FamilyTable<T>();
  private readonly v6 = new FamilyTable<T>();

  /** Adds or replaces the value of a range; false (and nothing stored) when `cidr` is not one. */
  add(cidr: string, value: T): boolean {
    const network = parseNetwork(cidr);
    if (!network) return false;
    this.table(network).set(network, `${formatIpWords(network)}/${network.prefix}`, value);
    return true;
  }

  /** Removes a range (given in any spelling); false if it was not there. */
  remove(cidr: string): boolean {
    const network = parseNetwork(cidr);
    return network ? this.table(network).delete(network) : false;
  }

  /** The value stored for exactly this range. */
  get(cidr: string): T | undefined {
    const network = parseNetwork(cidr);
    return network ? this.table(network).find(network.words, network.prefix)?.value : undefined;
  }

  /** Values of every range holding `ip`, the most specific first; empty for an invalid address. */
  lookup(ip: string): T[] {
    const address = parseIpWords(ip);
    if (!address) return [];
    const found: T[] = [];
    const table = this.table(address);
    for (const length of table.lengths) {
      const entry = table.find(address.words, length);
      if (entry) found.push(entry.value);
    }
    return found;
  }

  /** The value of the most specific range holding `ip`. */
  longest(ip: string): T | undefined {
    const address = parseIpWords(ip);
    return address ? this.table(address).longest(address.words)?.value : undefined;
  }

  /** Whether any range holds `ip`. */
  any(ip: string): boolean {
    const address = parseIpWords(ip);
    return address ? this.table(address).longest(address.words) !== undefined : false;
  }

  /** Every range as canonical CIDR text with its value. */
  *entries(): IterableIterator<[string, T]> {
    yield* this.v4.entries();
    yield* this.v6.entries();
  }

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  clear(): void {
    this.v4.clear();
    this.v6.clear();
  }

  private table(address: IpWords): FamilyTable<T> {
    return address.family === 4 ? this.v4 : this.v6;
  }
}

/** One range: its network words (host bits cleared, IPv4 in w0), chained on hash collisions. */
interface Entry<T> {
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  text: string;
  value: T;
  next: Entry<T> | undefined;
}

/** The ranges of one family: a table per prefix length, keyed by a hash of the masked words. */
class FamilyTable<T> {
  private readonly byLength = new Map<number, Map<number, Entry<T>>>();
  /** Lengths in use, longest first, so the first match is the most specific. */
  lengths: number[] = [];
  size = 0;

  set(network: Network, text: string, value: T): void {
    const existing = this.find(network.words, network.prefix);
    if (existing) {
      existing.value = value;
      return;
    }
    let table = this.byLength.get(network.prefix);
    if (!table) {
      table = new Map();
      this.byLength.set(network.prefix, table);
      this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
    }
    const [w0 = 0, w1 = 0, w2 = 0, w3 = 0] = network.words;
    const h = hash(w0, w1, w2, w3);
    table.set(h, { w0, w1, w2, w3, text, value, next: table.get(h) });
    this.size++;
  }

  delete(network: Network): boolean {
    const table = this.byLength.get(network.prefix);
    if (!table) return false;
    const [w0 = 0, w1 = 0, w2 = 0, w3 = 0] = network.words;
    const h = hash(w0, w1, w2, w3);
    let previous: Entry<T> | undefined;
    for (let e = table.get(h); e; previous = e, e = e.next) {
      if (e.w0 !== w0 || e.w1 !== w1 || e.w2 !== w2 || e.w3 !== w3) continue;
      if (previous) previous.next = e.next;
      else if (e.next) table.set(h, e.next);
      else table.delete(h);
      this.size--;
      if (table.size === 0) {
        this.byLength.delete(network.prefix);
        this.lengths = this.lengths.filter((length) => length !== network.prefix);
      }
      return true;
    }
    return false;
  }

  /** The range of exactly `length` bits holding the address in `words`. */
  find(words: readonly number[], length: number): Entry<T> | undefined {
    const table = this.byLength.get(length);
    if (!table) return undefined;
    // Masked inline, without allocating: this runs for every login.
    const m0 = mask(words[0] ?? 0, length);
    const m1 = mask(words[1] ?? 0, length - 32);
    const m2 = mask(words[2] ?? 0, length - 64);
    const m3 = mask(words[3] ?? 0, length - 96);
    for (let e = table.get(hash(m0, m1, m2, m3)); e; e = e.next) {
      if (e.w0 === m0 && e.w1 === m1 && e.w2 === m2 && e.w3 === m3) return e;
    }
    return undefined;
  }

  longest(words: readonly number[]): Entry<T> | undefined {
    for (const length of this.lengths) {
      const entry = this.find(words, length);
      if (entry) return entry;
    }
    return undefined;
  }

  *entries(): IterableIterator<[string, T]> {
    for (const table of this.byLength.values()) {
      for (const head of table.values()) {
        for (let e: Entry<T> | undefined = head; e; e = e.next) yield [e.text, e.value];
      }
    }
  }

  clear(): void {
    this.byLength.clear();
    this.lengths = [];
    this.size = 0;
  }
}

/** A word with only its first `keep` bits (0 to 32, clamped). */
function mask(word: number, keep: number): number {
  if (keep >= 32) return word;
  if (keep <= 0) return 0;
  return (word & (-1 << (32 - keep))) >>> 0;
}

/**
 * Mixes four words into a small integer (V8 keys maps by such "Smi" values fastest). Collisions
 * only cost a step along a chain: every entry is compared word by word.
 */
function hash(w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ w1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ w2, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16) ^ w3, 0x165667b1);
  return (h ^ (h >>> 15)) & 0x3fffffff;
}
