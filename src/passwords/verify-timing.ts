/**
 * Recent durations of password verifications at the current policy's cost (bcrypt at the
 * configured cost, queue wait included), so that a failure which cost less can be held until it
 * has taken as long as one would. Pure bookkeeping; the caller owns the clock and the timer.
 */
export interface VerifyTiming {
  add(ms: number): void;
  /** One recent duration drawn at random, or null before any verification was timed. */
  sample(): number | null;
}

/** Keeps the last `size` durations in a ring. */
export function createVerifyTiming(size = 256, random: () => number = Math.random): VerifyTiming {
  const samples: number[] = [];
  let next = 0;
  return {
    add(ms) {
      if (samples.length < size) samples.push(ms);
      else samples[next] = ms;
      next = (next + 1) % size;
    },
    sample: () => (samples.length === 0 ? null : (samples[Math.floor(random() * samples.length)] ?? null)),
  };
}

/** How much longer a failure that has taken `elapsedMs` must wait to look like one verification. */
export const paddingMs = (sampleMs: number, elapsedMs: number): number => Math.max(0, sampleMs - elapsedMs);
