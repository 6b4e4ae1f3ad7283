import { describe, expect, it } from "vitest";
import { createVerifyTiming, paddingMs } from "../../../src/passwords/verify-timing.js";

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

  it("pads a failure up to the drawn duration and never below zero", () => {
    expect(paddingMs(50, 0.2)).toBeCloseTo(49.8);
    expect(paddingMs(50, 50)).toBe(0);
    expect(paddingMs(50, 80)).toBe(0);
  });
});
