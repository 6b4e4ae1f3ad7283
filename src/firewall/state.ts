import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The last sync that was applied and verified; metrics report its age. */
export interface LastSync {
  /** When the sync finished, ISO 8601. */
  time: string;
  /** "family table" it kept: a state directory belongs to one table. */
  table?: string;
  v4: number;
  v6: number;
  added: number;
  removed: number;
}

export const LAST_SYNC_FILE = "last-sync.json";
export const LOCK_FILE = "sync.lock";

/** Writes the record atomically (temp file and rename), so a reader never sees half of it. */
export function writeLastSync(stateDir: string, record: LastSync): void {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, LAST_SYNC_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(record)}\n`, { mode: 0o644 });
  renameSync(temp, file);
}

/** The last good sync, or null when there was none (or the file is unreadable). */
export function readLastSync(stateDir: string): LastSync | null {
  try {
    const record = JSON.parse(readFileSync(join(stateDir, LAST_SYNC_FILE), "utf8")) as LastSync;
    return typeof record.time === "string" && !Number.isNaN(Date.parse(record.time)) ? record : null;
  } catch {
    return null;
  }
}

export const SNAPSHOT_FILE = "elements.txt";

/**
 * What the sets held after a verified sync, as "family start end" lines, under an identity line
 * naming the table, its sets, the boot and their handles: a table deleted and created again
 * (reboot, `systemctl reload nftables`) no longer matches, and its snapshot is not trusted.
 */
export interface Snapshot {
  sets: string;
  elements: Record<4 | 6, { start: bigint; end: bigint }[]>;
}

/**
 * Keeps the verified contents for the next run's added/removed report, so that run need not
 * list the sets before applying: nft 1.0.6 takes about a minute to list 1,000,000 elements.
 */
export function writeSnapshot(stateDir: string, snapshot: Snapshot): void {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, SNAPSHOT_FILE);
  const lines = [snapshot.sets];
  for (const family of [4, 6] as const) {
    for (const e of snapshot.elements[family]) lines.push(`${family} ${e.start} ${e.end}`);
  }
  writeFileSync(`${file}.tmp`, `${lines.join("\n")}\n`, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

/** The snapshot of the last good sync of these sets, or null (none, other identity, unreadable). */
export function readSnapshot(stateDir: string, sets: string): Snapshot | null {
  try {
    const [first, ...lines] = readFileSync(join(stateDir, SNAPSHOT_FILE), "utf8").trimEnd().split("\n");
    if (first !== sets) return null;
    const elements: Snapshot["elements"] = { 4: [], 6: [] };
    for (const line of lines) {
      const [family, start, end] = line.split(" ");
      if ((family !== "4" && family !== "6") || start === undefined || end === undefined) return null;
      elements[family === "4" ? 4 : 6].push({ start: BigInt(start), end: BigInt(end) });
    }
    return { sets, elements };
  } catch {
    return null;
  }
}
