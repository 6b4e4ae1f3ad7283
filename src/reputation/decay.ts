/**
 * A count that halves every half-life: evidence from an hour ago weighs almost fully, evidence
 * from yesterday little. Stored as a value and the time it was last brought up to date, so
 * updating and reading it are O(1) whatever the history.
 */
export interface Decayed {
  value: number;
  /** ms since the epoch at which `value` was exact. */
  at: number;
}

export function decayed(): Decayed {
  return { value: 0, at: 0 };
}

/** The factor by which evidence `ageMs` old is weighed. An event from the future weighs fully. */
export function weight(ageMs: number, halfLifeMs: number): number {
  return ageMs <= 0 ? 1 : 2 ** (-ageMs / halfLifeMs);
}

/** The count as of `now`. */
export function valueAt(counter: Decayed, now: number, halfLifeMs: number): number {
  return counter.value * weight(now - counter.at, halfLifeMs);
}

/** Adds `amount` at `now`. Out-of-order events (a clock step back) never make the count grow by decay. */
export function bump(counter: Decayed, now: number, halfLifeMs: number, amount = 1): void {
  if (now >= counter.at) {
    counter.value = valueAt(counter, now, halfLifeMs) + amount;
    counter.at = now;
  } else {
    counter.value += amount * weight(counter.at - now, halfLifeMs);
  }
}
