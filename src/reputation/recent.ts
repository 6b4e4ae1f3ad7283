/**
 * A bounded map of keys to when they were last seen: it answers "seen recently?" so a repeat
 * counts once, and forgets keys older than `maxAgeMs`, or the least recently seen when full.
 * Memory stays bounded whatever an attacker sends.
 *
 * A repeat updates its entry in place instead of moving it to the back of the Map: moving costs a
 * delete and an insert on every login, and leaves holes the Map must later compact. Recency is
 * restored only when the map is full, by giving an entry seen since it was stored a second
 * chance at the back (the CLOCK approximation of least-recently-used).
 */
export class RecentMap<V> {
  private readonly items = new Map<string, { seen: number; stored: number; value: V }>();

  constructor(
    private readonly cap: number,
    private readonly maxAgeMs: number,
  ) {}

  /** The entry for `key` if seen within `maxAgeMs` of `now`. */
  get(key: string, now: number): { seen: number; value: V } | undefined {
    const item = this.items.get(key);
    return item && now - item.seen <= this.maxAgeMs ? item : undefined;
  }

  /**
   * Marks `key` seen at `now`, creating its value with `create` if it is new or forgotten.
   * `previousSeen` is when it was last seen before, for a known key.
   */
  touch(key: string, now: number, create: () => V): { value: V; isNew: boolean; previousSeen: number } {
    const item = this.items.get(key);
    if (item && now - item.seen <= this.maxAgeMs) {
      const previousSeen = item.seen;
      item.seen = Math.max(item.seen, now);
      return { value: item.value, isNew: false, previousSeen };
    }
    if (item) this.items.delete(key);
    const value = create();
    this.items.set(key, { seen: now, stored: now, value });
    this.forget(now);
    return { value, isNew: true, previousSeen: Number.NaN };
  }

  get size(): number {
    return this.items.size;
  }

  /** How many entries were seen within `maxAgeMs` of `now`. */
  countLive(now: number): number {
    let count = 0;
    for (const item of this.items.values()) if (now - item.seen <= this.maxAgeMs) count++;
    return count;
  }

  private forget(now: number): void {
    // Each step deletes an entry or spends its second chance, so this ends.
    for (const [key, item] of this.items) {
      const expired = now - item.seen > this.maxAgeMs;
      if (!expired && this.items.size <= this.cap) break;
      this.items.delete(key);
      if (!expired && item.seen > item.stored) this.items.set(key, { ...item, stored: item.seen });
    }
  }
}
