import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergePieces, type Piece, subtractRanges } from "../../src/firewall/intervals.js";

const p = (start: number, end: number, expires: number | null): Piece => ({
  start: BigInt(start),
  end: BigInt(end),
  expires,
});

describe("mergePieces", () => {
  it("joins overlapping and adjacent pieces with the same expiry", () => {
    expect(mergePieces([p(10, 20, 5), p(15, 30, 5), p(31, 40, 5), p(50, 60, 5)])).toEqual([
      p(10, 40, 5),
      p(50, 60, 5),
    ]);
  });

  it("keeps each address's latest expiry where pieces with different expiries overlap", () => {
    expect(mergePieces([p(0, 255, 100), p(10, 19, 500)])).toEqual([
      p(0, 9, 100),
      p(10, 19, 500),
      p(20, 255, 100),
    ]);
    expect(mergePieces([p(10, 19, 500), p(0, 255, 100)])).toEqual([
      p(0, 9, 100),
      p(10, 19, 500),
      p(20, 255, 100),
    ]);
  });

  it("lets a permanent ban win over any expiry", () => {
    expect(mergePieces([p(0, 255, 9_999_999_999), p(0, 127, null)])).toEqual([
      p(0, 127, null),
      p(128, 255, 9_999_999_999),
    ]);
  });

  it("drops a shorter ban covered by a longer one", () => {
    expect(mergePieces([p(0, 255, 500), p(16, 31, 100)])).toEqual([p(0, 255, 500)]);
  });

  it("returns nothing for nothing", () => {
    expect(mergePieces([])).toEqual([]);
  });
});

describe("subtractRanges", () => {
  it("carves one allowed address out of a /24 into the ranges around it", () => {
    expect(subtractRanges([p(0, 255, null)], [{ start: 10n, end: 10n }])).toEqual([
      p(0, 9, null),
      p(11, 255, null),
    ]);
  });

  it("removes pieces wholly allowed and trims edges", () => {
    const holes = [
      { start: 0n, end: 5n },
      { start: 20n, end: 40n },
      { start: 98n, end: 120n },
    ];
    expect(subtractRanges([p(0, 3, 1), p(10, 30, 1), p(35, 100, 2)], holes)).toEqual([
      p(10, 19, 1),
      p(41, 97, 2),
    ]);
  });
});

/** The same computations done address by address on a small space, as the reference. */
function bruteForce(pieces: Piece[], holes: { start: bigint; end: bigint }[]): Map<number, number> {
  const best = new Map<number, number>();
  for (const piece of pieces) {
    for (let a = Number(piece.start); a <= Number(piece.end); a++) {
      best.set(a, Math.max(best.get(a) ?? -1, piece.expires ?? Number.POSITIVE_INFINITY));
    }
  }
  for (const hole of holes) for (let a = Number(hole.start); a <= Number(hole.end); a++) best.delete(a);
  return best;
}

describe("merge and carve-out, against address-by-address reference", () => {
  const piece = fc
    .tuple(
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: 0, max: 30 }),
      fc.option(fc.integer({ min: 1, max: 4 })),
    )
    .map(([start, length, expires]) => p(start, start + length, expires));
  const hole = fc
    .tuple(fc.integer({ min: 0, max: 230 }), fc.integer({ min: 0, max: 10 }))
    .map(([s, l]) => ({ start: BigInt(s), end: BigInt(s + l) }));

  it("blocks exactly the banned, non-allowed addresses, each until its latest expiry, in minimal pieces", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.array(hole, { maxLength: 4 }), (pieces, holes) => {
        const out = subtractRanges(mergePieces(pieces), holes);
        const got = new Map<number, number>();
        for (const q of out)
          for (let a = Number(q.start); a <= Number(q.end); a++)
            got.set(a, q.expires ?? Number.POSITIVE_INFINITY);
        expect(got).toEqual(bruteForce(pieces, holes));
        for (let i = 1; i < out.length; i++) {
          const prev = out[i - 1] as Piece;
          const cur = out[i] as Piece;
          expect(prev.end < cur.start).toBe(true);
          if (holes.length === 0)
            expect(prev.end + 1n === cur.start && prev.expires === cur.expires).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});
