import type { Blocklist } from "./blocklist.js";
import { type AddressRange, type Family, parseNetwork, rangeToCidrs } from "./cidr.js";
import { mergePieces, type Piece, subtractRanges } from "./intervals.js";

/** The blacklist as it must be in the firewall: per family, sorted, disjoint, allowlist removed. */
export interface FirewallExport {
  v4: Piece[];
  v6: Piece[];
  /** Entries that are not addresses, left out (and worth a warning). */
  invalid: string[];
}

/**
 * Computes the export at `now`: expired bans dropped, expiries rounded up to whole seconds (so two
 * bans ending within the same second merge, and a timeout never ends early), overlapping and
 * adjacent ranges merged, the allowlist carved out.
 */
export function exportBlocklist(list: Blocklist, now: Date): FirewallExport {
  const invalid: string[] = [];
  const bans: Record<Family, Piece[]> = { 4: [], 6: [] };
  const allow: Record<Family, AddressRange[]> = { 4: [], 6: [] };
  const nowMs = now.getTime();
  for (const ban of list.bans) {
    if (ban.expiresAt !== null && ban.expiresAt.getTime() <= nowMs) continue;
    const range = parseNetwork(ban.network);
    if (!range) {
      invalid.push(ban.network);
      continue;
    }
    const expires = ban.expiresAt === null ? null : Math.ceil(ban.expiresAt.getTime() / 1000);
    bans[range.family].push({ start: range.start, end: range.end, expires });
  }
  for (const network of list.allow) {
    const range = parseNetwork(network);
    if (range) allow[range.family].push(range);
    else invalid.push(network);
  }
  return {
    v4: subtractRanges(mergePieces(bans[4]), allow[4]),
    v6: subtractRanges(mergePieces(bans[6]), allow[6]),
    invalid,
  };
}

/** Seconds an element has left at `now` (at least 1), or null when permanent. */
export function remainingSeconds(piece: Piece, now: Date): number | null {
  if (piece.expires === null) return null;
  return Math.max(1, piece.expires - Math.floor(now.getTime() / 1000));
}

/** One CIDR per line, IPv4 first: for firewalls that take a plain list (expiries are lost). */
export function exportText(exported: FirewallExport): string {
  const lines: string[] = [];
  for (const [family, pieces] of [
    [4, exported.v4],
    [6, exported.v6],
  ] as const) {
    for (const p of pieces) lines.push(...rangeToCidrs({ family, start: p.start, end: p.end }));
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

/** An entry of the JSON export (GET /firewall/blacklist.json), which `sync --from` reads. */
export interface JsonEntry {
  network: string;
  /** ISO 8601, or null when permanent. */
  expires_at: string | null;
}

/** The export as CIDRs with their expiry; merging them again gives back the same pieces. */
export function exportJson(
  exported: FirewallExport,
  now: Date,
): { generated_at: string; entries: JsonEntry[] } {
  const entries: JsonEntry[] = [];
  for (const [family, pieces] of [
    [4, exported.v4],
    [6, exported.v6],
  ] as const) {
    for (const p of pieces) {
      const expiresAt = p.expires === null ? null : new Date(p.expires * 1000).toISOString();
      for (const network of rangeToCidrs({ family, start: p.start, end: p.end })) {
        entries.push({ network, expires_at: expiresAt });
      }
    }
  }
  return { generated_at: now.toISOString(), entries };
}
