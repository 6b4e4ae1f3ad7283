import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The last sync that was applied and verified; metrics report its age. */
export interface LastSync {
  /** ISO 8601. */
  time: string;
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
