import { describe, expect, it } from "vitest";
import {
  banDuration,
  DEFAULT_ESCALATION,
  formatDuration,
  formatLadder,
  historyRetention,
  PERMANENT,
  parseDuration,
  parseLadder,
  planBan,
  reviewDate,
} from "../../../src/reputation/escalation.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const noJitter = () => 0;

describe("banDuration", () => {
  it("climbs the default ladder: 1 h, 1 d, 7 d, 30 d, then permanent", () => {
    const lengths = [0, 1, 2, 3, 4, 5, 12].map((prior) => banDuration(prior, DEFAULT_ESCALATION, noJitter));
    expect(lengths).toEqual([
      { permanent: false, ms: HOUR },
      { permanent: false, ms: DAY },
      { permanent: false, ms: 7 * DAY },
      { permanent: false, ms: 30 * DAY },
      { permanent: true },
      { permanent: true },
      { permanent: true },
    ]);
  });

  it("repeats the last step of a ladder that has no permanent end", () => {
    const settings = { ladder: [HOUR, DAY], jitter: 0 };
    expect(banDuration(7, settings, noJitter)).toEqual({ permanent: false, ms: DAY });
  });

  it("adds up to the jitter fraction at random, never less than the step", () => {
    expect(banDuration(0, DEFAULT_ESCALATION, () => 0.999999)).toEqual({
      permanent: false,
      ms: Math.round(HOUR * 1.0999999),
    });
    expect(banDuration(0, DEFAULT_ESCALATION, () => 0.5)).toEqual({ permanent: false, ms: HOUR * 1.05 });
    const spread = new Set(Array.from({ length: 50 }, () => banDuration(1, DEFAULT_ESCALATION, Math.random)));
    for (const length of spread) {
      expect(length.permanent).toBe(false);
      if (!length.permanent) {
        expect(length.ms).toBeGreaterThanOrEqual(DAY);
        expect(length.ms).toBeLessThanOrEqual(DAY * 1.1);
      }
    }
  });

  it("treats a negative or fractional offence count as the first offence", () => {
    expect(banDuration(-3, DEFAULT_ESCALATION, noJitter)).toEqual({ permanent: false, ms: HOUR });
    expect(banDuration(0.7, DEFAULT_ESCALATION, noJitter)).toEqual({ permanent: false, ms: HOUR });
  });
});

describe("planBan", () => {
  const now = new Date("2026-03-02T08:00:00Z");

  it("ends a temporary ban at its step", () => {
    expect(planBan(1, now, DEFAULT_ESCALATION, noJitter)).toEqual({
      until: new Date("2026-03-03T08:00:00Z"),
      reviewAt: null,
    });
  });

  it("gives a permanent ban no end and a review date", () => {
    expect(planBan(4, now, DEFAULT_ESCALATION, noJitter)).toEqual({
      until: null,
      reviewAt: new Date("2026-05-31T08:00:00Z"),
    });
  });
});

describe("history and review", () => {
  it("keeps offence history for twice the ladder, so a returning offender climbs on", () => {
    const horizon = (HOUR + DAY + 7 * DAY + 30 * DAY) * 1.1;
    expect(historyRetention(DEFAULT_ESCALATION)).toBeGreaterThanOrEqual(2 * horizon);
    const long = { ladder: [DAY, 30 * DAY, 180 * DAY, PERMANENT], jitter: 0 };
    expect(historyRetention(long)).toBe(2 * 211 * DAY);
  });

  it("keeps at least 90 days even for a short ladder", () => {
    expect(historyRetention({ ladder: [HOUR], jitter: 0 })).toBe(90 * DAY);
  });

  it("sets a permanent ban's review 90 days on by default", () => {
    const now = new Date("2026-03-02T08:00:00Z");
    expect(reviewDate(now, DEFAULT_ESCALATION)).toEqual(new Date("2026-05-31T08:00:00Z"));
  });
});

describe("parseDuration", () => {
  it("reads the usual units and their sums", () => {
    expect(parseDuration("30m")).toEqual({ ok: true, ms: 30 * 60_000 });
    expect(parseDuration("1h")).toEqual({ ok: true, ms: HOUR });
    expect(parseDuration(" 7d ")).toEqual({ ok: true, ms: 7 * DAY });
    expect(parseDuration("2w")).toEqual({ ok: true, ms: 14 * DAY });
    expect(parseDuration("1d12h")).toEqual({ ok: true, ms: 36 * HOUR });
    expect(parseDuration("90s")).toEqual({ ok: true, ms: 90_000 });
    expect(parseDuration("Permanent")).toEqual({ ok: true, ms: PERMANENT });
  });

  it("refuses a bare number, a zero, and words", () => {
    for (const bad of ["60", "0h", "1 h", "1y", "-1h", "soon", ""]) {
      const parsed = parseDuration(bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain(`"${bad}"`);
    }
  });
});

describe("parseLadder", () => {
  it("reads the default ladder and prints it back", () => {
    const parsed = parseLadder("1h,1d,7d,30d,permanent");
    expect(parsed).toEqual({ ok: true, ladder: DEFAULT_ESCALATION.ladder });
    if (parsed.ok) expect(formatLadder(parsed.ladder)).toBe("1h,1d,7d,30d,permanent");
  });

  it("refuses a duration over 100 years, whose expiry the database could not store", () => {
    expect(parseDuration("36525d")).toEqual({ ok: true, ms: 36_525 * DAY });
    for (const text of ["36525d1s", "999999w", "5300w"]) {
      expect(parseDuration(text), text).toEqual({
        ok: false,
        error: `"${text}" is longer than 100 years: use "permanent"`,
      });
    }
    expect(parseLadder("1h,999999w")).toMatchObject({ ok: false, error: expect.stringMatching(/100 years/) });
  });

  it("prints a step no single unit holds in six digits in parts that parse back", () => {
    const WEEK = 7 * DAY;
    expect(formatDuration(12 * DAY + 1000)).toBe("1w5d1s");
    expect(formatDuration(999_999 * WEEK)).toBe("999999w");
    expect(formatDuration(2 * 999_999 * WEEK + 3 * HOUR)).toBe("999999w999999w3h");
    expect(formatDuration(90_000)).toBe("90s");
    const ladder = "12d1s,5217w,36525d";
    const parsed = parseLadder(ladder);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parseLadder(formatLadder(parsed.ladder))).toEqual(parsed);
  });

  it("refuses a ladder that gets shorter, continues after permanent, or has a bad step", () => {
    expect(parseLadder("1d,1h")).toEqual({
      ok: false,
      error: "step 2 of the ladder (1h) is shorter than the step before it",
    });
    expect(parseLadder("1h,permanent,30d")).toEqual({
      ok: false,
      error: '"permanent" must be the last step of the ladder',
    });
    expect(parseLadder("1h,,1d")).toMatchObject({ ok: false });
    expect(parseLadder("1h,tomorrow")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^step 2 of the ladder/),
    });
  });
});
