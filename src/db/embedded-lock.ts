import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
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

export function lockEmbedded(dataDir: string): LockResult {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { lock } = embeddedPaths(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        ok: true,
        release: () => {
          if (holderOf(lock) === process.pid) unlinkSync(lock);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = holderOf(lock);
      if (holder !== null && isAlive(holder)) return { ok: false, holder };
      unlinkSync(lock); // stale: its process died without cleaning up
    }
  }
  return { ok: false, holder: holderOf(lock) ?? 0 };
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
