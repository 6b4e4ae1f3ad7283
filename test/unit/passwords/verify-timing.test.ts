import { describe, expect, it } from "vitest";
import { createVerifyTiming, paddingMs, queueWaitMs } from "../../../src/passwords/verify-timing.js";

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

  it("pads a failure up to the drawn duration and never below zero", () => {
    expect(paddingMs(50, 0.2)).toBeCloseTo(49.8);
    expect(paddingMs(50, 50)).toBe(0);
    expect(paddingMs(50, 80)).toBe(0);
  });
});
