/**
 * A bounded map of keys to when they were last seen, oldest first: it answers "seen recently?"
 * so a repeat counts once, and it forgets the oldest keys first when full or when they are older
 * than `maxAgeMs`. Memory stays bounded whatever an attacker sends.
 */
export class RecentMap<V> {
  private readonly items = new Map<string, { seen: number; value: V }>();

  constructor(
    private readonly cap: number,
    private readonly maxAgeMs: number,
  ) {}

  /** The entry for `key` if seen within `maxAgeMs` of `now`. */
  get(key: string, now: number): { seen: number; value: V } | undefined {
    const item = this.items.get(key);
    return item && now - item.seen <= this.maxAgeMs ? item : undefined;
  }

  /** Marks `key` seen at `now`, creating its value with `create` if it is new or forgotten. */
  touch(key: string, now: number, create: () => V): { value: V; isNew: boolean } {
    const known = this.get(key, now);
    this.items.delete(key);
    const value = known ? known.value : create();
    this.items.set(key, { seen: Math.max(now, known?.seen ?? now), value });
    // Only growth can overflow; expired entries are already invisible to get() and entries().
    if (!known) this.forget(now);
    return { value, isNew: !known };
  }

  get size(): number {
    return this.items.size;
  }

  /** The sum over live entries of `weigh(age of its last sighting)`; a plain loop, as it runs per login. */
  sumOverSeen(now: number, weigh: (ageMs: number) => number): number {
    let sum = 0;
    for (const item of this.items.values())
      if (now - item.seen <= this.maxAgeMs) sum += weigh(now - item.seen);
    return sum;
  }

  /** Live entries, oldest first. */
  *entries(now: number): IterableIterator<[string, { seen: number; value: V }]> {
    for (const entry of this.items) if (now - entry[1].seen <= this.maxAgeMs) yield entry;
  }

  private forget(now: number): void {
    for (const [key, item] of this.items) {
      if (this.items.size <= this.cap && now - item.seen <= this.maxAgeMs) break;
      this.items.delete(key);
    }
  }
}
