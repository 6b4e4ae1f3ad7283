import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export type Lock = { ok: true; release(): void } | { ok: false; holder: number };

/** Whether a process exists; EPERM means it exists but belongs to someone else. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes an exclusive lock: a file created with O_EXCL holding our pid. A lock left by a process
 * that died (kill -9, power loss) is taken over. Two runs finding the same stale lock at the same
 * instant could both take it; cron's flock(1) and systemd (which never starts a running service
 * twice) close that window in the shipped examples.
 */
export function acquireLock(path: string, pid = process.pid, alive = processAlive): Lock {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${pid}\n`, { flag: "wx", mode: 0o644 });
      return {
        ok: true,
        release() {
          try {
            if (readFileSync(path, "utf8").trim() === String(pid)) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder = Number.NaN;
    try {
      holder = Number.parseInt(readFileSync(path, "utf8"), 10);
    } catch {
      continue; // released between our create and our read: try again
    }
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) return { ok: false, holder };
    try {
      unlinkSync(path);
    } catch {
      // another run removed it first
    }
  }
  return { ok: false, holder: Number.NaN };
}
