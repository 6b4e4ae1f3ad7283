import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatDuration,
  formatLadder,
  PERMANENT,
  parseDuration,
  parseLadder,
} from "../../src/reputation/escalation.js";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

const part = fc.record({
  amount: fc.oneof(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 100 })),
  unit: fc.constantFrom(...(Object.keys(UNIT_MS) as Unit[])),
});
const spelled = fc.array(part, { minLength: 1, maxLength: 4 });
const spell = (parts: { amount: number; unit: Unit }[]) => parts.map((p) => `${p.amount}${p.unit}`).join("");
const total = (parts: { amount: number; unit: Unit }[]) =>
  parts.reduce((sum, p) => sum + p.amount * UNIT_MS[p.unit], 0);

describe("durations, generated", () => {
  it("adds up every amount and unit, in any case and with blanks around", () => {
    fc.assert(
      fc.property(spelled, fc.boolean(), (parts, upper) => {
        const text = ` ${upper ? spell(parts).toUpperCase() : spell(parts)}\t`;
        const ms = total(parts);
        const refusal = ms === 0 ? /is zero/ : ms > 100 * 365.25 * UNIT_MS.d ? /longer than 100 years/ : null;
        expect(parseDuration(text)).toEqual(
          refusal ? { ok: false, error: expect.stringMatching(refusal) } : { ok: true, ms },
        );
      }),
      { numRuns: 1000 },
    );
  });

  it("reads back what formatDuration writes", () => {
    fc.assert(
      fc.property(spelled, (parts) => {
        const parsed = parseDuration(spell(parts));
        fc.pre(parsed.ok);
        if (!parsed.ok) return;
        expect(parseDuration(formatDuration(parsed.ms)), formatDuration(parsed.ms)).toEqual(parsed);
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary text, and accepts only a number-and-unit list or permanent", () => {
    const durationLike = fc.oneof(
      fc.string({ unit: "binary", maxLength: 30 }),
      fc.string({ unit: fc.constantFrom(..."0123456789smhdwSMHDW .,-+e"), maxLength: 16 }),
    );
    fc.assert(
      fc.property(durationLike, (text) => {
        const parsed = parseDuration(text);
        const value = text.trim().toLowerCase();
        const grammar = value === "permanent" || /^(\d{1,6}[smhdw])+$/.test(value);
        if (parsed.ok) {
          expect(grammar, text).toBe(true);
          expect(parsed.ms > 0).toBe(true);
        } else {
          expect(parsed.error).toContain(text);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("a bare number, a negative or a fraction is refused: the unit would be a guess", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1_000_000 }),
        fc.constantFrom("", ".5h", "-", "h-"),
        (n, tail) => {
          expect(parseDuration(`${n}${tail}`).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("ban ladders, generated", () => {
  const step = spelled.map((parts) => parseDuration(spell(parts))).filter((p) => p.ok);
  const ladder = fc
    .tuple(fc.array(step, { minLength: 1, maxLength: 19 }), fc.boolean())
    .map(([steps, permanent]) => {
      const ms = steps.map((s) => (s.ok ? s.ms : 0)).sort((a, b) => a - b);
      return permanent ? [...ms, PERMANENT] : ms;
    });

  it("reads back a non-decreasing ladder formatLadder wrote", () => {
    fc.assert(
      fc.property(ladder, (steps) => {
        expect(parseLadder(formatLadder(steps)), formatLadder(steps)).toEqual({ ok: true, ladder: steps });
      }),
      { numRuns: 500 },
    );
  });

  it("refuses a ladder that gets shorter or goes on after permanent, naming the step", () => {
    fc.assert(
      fc.property(ladder, fc.nat(), (steps, at) => {
        const finite = steps.filter(Number.isFinite);
        fc.pre(finite.length >= 2 && (finite[0] ?? 0) < (finite.at(-1) ?? 0));
        const shorter = [...finite].reverse();
        const refused = parseLadder(formatLadder(shorter));
        expect(refused.ok).toBe(false);
        if (!refused.ok) expect(refused.error).toMatch(/shorter than the step before it/);
        const permanentEarly = [...finite.slice(0, (at % finite.length) + 1), PERMANENT, ...finite];
        const afterPermanent = parseLadder(formatLadder(permanentEarly));
        expect(afterPermanent.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(..."0123456789smhdw ,permant"), maxLength: 40 }),
        (text) => {
          const parsed = parseLadder(text);
          if (parsed.ok) expect(parsed.ladder.length).toBeGreaterThan(0);
          else expect(parsed.error.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
