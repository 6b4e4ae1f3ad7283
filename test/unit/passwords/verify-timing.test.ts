import { describe, expect, it } from "vitest";
import {
  createHold,
  createTimerCorrection,
  createVerifyTiming,
  queueWaitMs,
} from "../../../src/passwords/verify-timing.js";

describe("verify timing", () => {
  it("has no sample before a verification was timed", () => {
    expect(createVerifyTiming().sample()).toBeNull();
  });

  it("draws from the last durations only, forgetting the oldest", () => {
    let pick = 0;
    const timing = createVerifyTiming(3, () => pick);
    for (const ms of [10, 20, 30, 40]) timing.add(ms);
    const drawn = [0, 0.34, 0.67, 0.99].map((r) => {
      pick = r;
      return timing.sample();
    });
    expect(drawn).toEqual([40, 20, 30, 30]);
  });

  it("keeps the mean of the durations in the ring", () => {
    const timing = createVerifyTiming(2);
    expect(timing.mean()).toBe(0);
    timing.add(10);
    expect(timing.mean()).toBe(10);
    timing.add(20);
    timing.add(40);
    expect(timing.mean()).toBe(30);
  });

  it("adds the queue's wait only when no worker is free", () => {
    expect(queueWaitMs({ queued: 0, running: 1, workers: 2 }, 50)).toBe(0);
    expect(queueWaitMs({ queued: 0, running: 2, workers: 2 }, 50)).toBe(25);
    expect(queueWaitMs({ queued: 4, running: 2, workers: 2 }, 50)).toBe(125);
  });

  it("asks timers for more when they fire early, less when late, until they take what was wanted", () => {
    const early = createTimerCorrection(0.5);
    for (let i = 0; i < 30; i++) {
      const asked = early.ask(50);
      early.saw(asked, asked - 0.7); // a timer that always fires 0.7 ms early
    }
    expect(early.ask(50)).toBeCloseTo(50.7, 3);
    const late = createTimerCorrection(0.5);
    for (let i = 0; i < 30; i++) late.saw(late.ask(50), late.ask(50) + 2);
    expect(late.ask(50)).toBeCloseTo(48, 3);
    expect(late.ask(1)).toBe(0);
  });

  it("holds a reply until its deadline on a corrected timer, or runs it at once when it has passed", async () => {
    const seen: Array<[number, number]> = [];
    const hold = createHold({ ask: (ms) => ms + 1, saw: (asked, took) => seen.push([asked, took]) });
    let now = false;
    hold(performance.now() - 1, () => {
      now = true;
    });
    expect(now).toBe(true);
    expect(seen).toEqual([]);

    const started = performance.now();
    const waited = await new Promise<number>((done) =>
      hold(started + 30, () => done(performance.now() - started)),
    );
    // Node's timers count from the loop's clock, read at the start of its turn: on a busy machine
    // they fire early by that much (what the correction learns), so only a loose lower bound.
    expect(waited).toBeGreaterThan(20);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.[0]).toBeCloseTo(31, 0);
  });
});
