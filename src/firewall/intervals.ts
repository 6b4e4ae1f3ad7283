/**
 * Interval arithmetic on one address family. nft refuses overlapping elements in an interval set,
 * and letting the kernel auto-merge them makes the kernel drift from our export, so every overlap
 * is resolved here first.
 */

/** Addresses start..end (inclusive) blocked until `expires` (Unix seconds); null = permanent. */
export interface Piece {
  start: bigint;
  end: bigint;
  expires: number | null;
}

const rank = (expires: number | null) => expires ?? Number.POSITIVE_INFINITY;
const byStart = (a: { start: bigint }, b: { start: bigint }) =>
  a.start < b.start ? -1 : a.start > b.start ? 1 : 0;

/**
 * Merges overlapping and adjacent pieces so that every address keeps its own latest expiry
 * (permanent beats any expiry): the line is cut at every boundary, each cut takes the latest
 * expiry covering it, and neighbouring cuts with equal expiry are joined. Sorted, disjoint output.
 */
export function mergePieces(pieces: readonly Piece[]): Piece[] {
  const sorted = [...pieces].sort(byStart);
  const out: Piece[] = [];
  const active = new MaxHeap();
  let next = 0;
  let pos = 0n;
  while (next < sorted.length || active.size > 0) {
    if (active.size === 0) pos = (sorted[next] as Piece).start;
    while (next < sorted.length && (sorted[next] as Piece).start <= pos) active.push(sorted[next++] as Piece);
    active.dropEndingBefore(pos);
    const top = active.peek();
    if (!top) continue;
    // The latest expiry holds until it ends or until a new piece (maybe later still) starts.
    const upcoming = sorted[next]?.start;
    const end = upcoming !== undefined && upcoming - 1n < top.end ? upcoming - 1n : top.end;
    const last = out[out.length - 1];
    if (last && last.end + 1n === pos && last.expires === top.expires) last.end = end;
    else out.push({ start: pos, end, expires: top.expires });
    pos = end + 1n;
    active.dropEndingBefore(pos);
  }
  return out;
}

/** Removes every address of `holes` from sorted, disjoint pieces (the allowlist carve-out). */
export function subtractRanges(
  pieces: readonly Piece[],
  holes: readonly { start: bigint; end: bigint }[],
): Piece[] {
  const cuts = mergePieces(holes.map((h) => ({ start: h.start, end: h.end, expires: null })));
  const out: Piece[] = [];
  let h = 0;
  for (const piece of pieces) {
    let start = piece.start;
    while (h < cuts.length && (cuts[h] as Piece).end < start) h++;
    for (let i = h; i < cuts.length && start <= piece.end; i++) {
      const cut = cuts[i] as Piece;
      if (cut.start > piece.end) break;
      if (cut.start > start) out.push({ start, end: cut.start - 1n, expires: piece.expires });
      start = cut.end + 1n;
    }
    if (start <= piece.end) out.push({ start, end: piece.end, expires: piece.expires });
  }
  return out;
}

/** The active pieces by latest expiry (then furthest end, so fewer cuts); ended ones dropped lazily. */
class MaxHeap {
  private readonly items: Piece[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Piece | undefined {
    return this.items[0];
  }

  push(piece: Piece): void {
    const items = this.items;
    items.push(piece);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Pops the top while it ends before `pos`; lower entries that ended go when they surface. */
  dropEndingBefore(pos: bigint): void {
    while (this.items.length > 0 && (this.items[0] as Piece).end < pos) this.pop();
  }

  private pop(): void {
    const items = this.items;
    const last = items.pop() as Piece;
    if (items.length === 0) return;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < items.length && this.before(left, best)) best = left;
      if (right < items.length && this.before(right, best)) best = right;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }

  private before(a: number, b: number): boolean {
    const x = this.items[a] as Piece;
    const y = this.items[b] as Piece;
    const rx = rank(x.expires);
    const ry = rank(y.expires);
    return rx !== ry ? rx > ry : x.end > y.end;
  }

  private swap(a: number, b: number): void {
    const items = this.items;
    [items[a], items[b]] = [items[b] as Piece, items[a] as Piece];
  }
}
