import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * PGlite must be opened by one process at a time, or its files are corrupted. Whoever opens it
 * holds `embedded.lock` (created exclusively, holding the pid); a lock whose process is gone is
 * taken over. The server also listens on `control.sock` so the CLI can reach the database
 * through it while it runs.
 */
export function embeddedPaths(dataDir: string) {
  return {
    database: join(dataDir, "pglite"),
    lock: join(dataDir, "embedded.lock"),
    socket: join(dataDir, "control.sock"),
  };
}

export type LockResult = { ok: true; release: () => void } | { ok: false; holder: number };

/** Takes the lock, or says which live process holds it; never waits (callers poll if they wish). */
export function lockEmbedded(dataDir: string): LockResult {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { lock } = embeddedPaths(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create(lock)) {
      return {
        ok: true,
        release: () => {
          if (holderOf(lock) === process.pid) unlinkSync(lock);
        },
      };
    }
    const holder = holderOf(lock);
    if (holder === null) continue; // released in the meantime
    if (isAlive(holder)) return { ok: false, holder };
    removeStale(lock, holder);
  }
  return { ok: false, holder: holderOf(lock) ?? 0 };
}

/**
 * Creates the lock holding our pid, atomically: the pid is written to a file of our own which is
 * then hard-linked into place, so no one ever reads a lock file that is still empty (and takes
 * it for a stale one). False when the lock exists.
 */
function create(lock: string): boolean {
  const mine = `${lock}.${process.pid}`;
  writeFileSync(mine, String(process.pid), { mode: 0o600 });
  try {
    linkSync(mine, lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return false;
  } finally {
    unlinkSync(mine);
  }
}

/**
 * Removes a lock whose process died, unless someone took the lock over in the meantime: it is
 * moved aside first and put back if it turns out to be another's fresh lock.
 */
function removeStale(lock: string, dead: number): void {
  const aside = `${lock}.stale.${process.pid}`;
  try {
    renameSync(lock, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    if (holderOf(aside) !== dead) linkSync(aside, lock);
  } catch {
    // Someone locked it again meanwhile: theirs stands, whoever it was.
  } finally {
    unlinkSync(aside);
  }
}

function holderOf(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isFinite(pid) ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
