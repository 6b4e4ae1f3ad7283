/**
 * Durations of recent password verifications at the current policy's cost, timed when a worker
 * was free (no queue wait), so that a failure which cost less can be held until it has taken as
 * long as one would. Pure bookkeeping; the caller owns the clock and the timer.
 */
export interface VerifyTiming {
  add(ms: number): void;
  /** One recent duration drawn at random, or null before any verification was timed. */
  sample(): number | null;
  /** The mean of the recent durations (0 before any). */
  mean(): number;
}

/** Keeps the last `size` durations in a ring. */
export function createVerifyTiming(size = 256, random: () => number = Math.random): VerifyTiming {
  const samples: number[] = [];
  let next = 0;
  let sum = 0;
  return {
    add(ms) {
      sum += ms - (samples.length < size ? 0 : (samples[next] ?? 0));
      samples[next] = ms;
      next = (next + 1) % size;
    },
    sample: () => (samples.length === 0 ? null : (samples[Math.floor(random() * samples.length)] ?? null)),
    mean: () => (samples.length === 0 ? 0 : sum / samples.length),
  };
}

/**
 * How long a verification asked for now would wait for a worker: nothing while one is free, else
 * its turn behind the queued ones, shared among the workers, plus half a run for a worker to
 * come free.
 */
export function queueWaitMs(
  stats: { queued: number; running: number; workers: number },
  meanMs: number,
): number {
  if (stats.workers === 0 || (stats.running < stats.workers && stats.queued === 0)) return 0;
  return (stats.queued / stats.workers + 0.5) * meanMs;
}

/**
 * Node's timers fire on whole milliseconds of a loop clock that lags real time (fractional delays
 * are truncated, and the clock was read at the start of the loop's turn), so a hold of 57.8 ms
 * ends early by half a millisecond or more: enough for a statistical test to tell held failures
 * from real verifications. This learns by how much the timers miss and asks for that much more.
 */
export interface TimerCorrection {
  /** The delay to ask setTimeout for, to wait `wantedMs`. */
  ask(wantedMs: number): number;
  /** What a timer asked for `askedMs` really took. */
  saw(askedMs: number, tookMs: number): void;
}

export function createTimerCorrection(weight = 0.05): TimerCorrection {
  let late = 0; // average of (took - asked): negative when timers fire early
  return {
    ask: (wantedMs) => Math.max(0, wantedMs - late),
    saw(askedMs, tookMs) {
      late += weight * (tookMs - askedMs - late);
    },
  };
}

/**
 * Runs `reply` at `deadline` (a performance.now() instant), on a timer corrected as above, or at
 * once when the deadline has passed. Only the reply waits: whatever decided it is garbage by
 * then, which matters when thousands of held failures are in flight (V8's scavenger copied every
 * object a held request kept alive: 12-16 % of a held refusal's CPU, docs/BENCHMARKS-http.md).
 */
export function createHold(correction: TimerCorrection = createTimerCorrection()) {
  return (deadline: number, reply: () => void): void => {
    const wanted = deadline - performance.now();
    if (wanted <= 0) {
      reply();
      return;
    }
    const asked = correction.ask(wanted);
    const before = performance.now();
    setTimeout(() => {
      correction.saw(asked, performance.now() - before);
      reply();
    }, asked);
  };
}
