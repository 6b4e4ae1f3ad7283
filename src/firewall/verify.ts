import { type Family, rangeToNft } from "./cidr.js";
import type { Piece } from "./intervals.js";
import type { KernelElement } from "./kernel-set.js";
import { nftTimeout } from "./render.js";

const key = (e: { start: bigint; end: bigint }) => `${e.start}-${e.end}`;
const describe = (family: Family, e: { start: bigint; end: bigint }) => rangeToNft({ family, ...e });

/**
 * Differences between what the kernel holds and the export: networks must match exactly, and
 * timeouts to the second (the kernel reports back the timeout it was given; `expires` is what is
 * left of it). Empty when they agree. An element missing because its timeout ran out between the
 * apply (`now`) and the read-back (`readAt`; minutes on big sets) is no difference. Lists at most
 * `limit` differences.
 */
export function compareSet(
  family: Family,
  expected: readonly Piece[],
  kernel: readonly KernelElement[],
  now: Date,
  readAt: Date = now,
  limit = 10,
): string[] {
  // The kernel may drop an element up to a second before its rounded-up expiry.
  const lapsedBy = Math.floor(readAt.getTime() / 1000) + 1;
  const problems: string[] = [];
  const held = new Map(kernel.map((e) => [key(e), e]));
  for (const piece of expected) {
    const element = held.get(key(piece));
    held.delete(key(piece));
    const want = nftTimeout(piece, now);
    if (!element) {
      if (piece.expires === null || piece.expires > lapsedBy)
        problems.push(`missing ${describe(family, piece)}`);
    } else if (want === null && element.timeout !== null)
      problems.push(`${describe(family, piece)} has a timeout, should be permanent`);
    else if (want !== null && (element.timeout === null || Math.abs(element.timeout - want) > 1)) {
      problems.push(
        `${describe(family, piece)} has timeout ${element.timeout ?? "none"}, should be ${want}s`,
      );
    }
  }
  for (const extra of held.values()) problems.push(`unexpected ${describe(family, extra)}`);
  if (problems.length <= limit) return problems;
  return [...problems.slice(0, limit), `... and ${problems.length - limit} more`];
}

/** Elements in `after` but not in `before` (added), and the reverse (removed), by network. */
export function diffSets(
  family: Family,
  before: readonly { start: bigint; end: bigint }[],
  after: readonly { start: bigint; end: bigint }[],
) {
  const old = new Set(before.map(key));
  const current = new Set(after.map(key));
  return {
    added: after.filter((e) => !old.has(key(e))).map((e) => describe(family, e)),
    removed: before.filter((e) => !current.has(key(e))).map((e) => describe(family, e)),
  };
}
