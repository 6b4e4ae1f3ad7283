import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export type Lock = { ok: true; release(): void } | { ok: false; holder: number };

/** A process as the lock names it: its pid and its start time, so a reused pid is not taken for it. */
export interface LockOwner {
  pid: number;
  /** Field 22 of /proc/PID/stat (clock ticks since boot); null where /proc is unreadable. */
  start: string | null;
}

/** The start time of a process from /proc, or null when there is no such process (or no /proc). */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count from the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the owner still runs: the same pid with the same start time (a kill -9, a reboot, or a
 * SIGTERM leaves the file behind, and after a reboot its pid may belong to anything). */
export function ownerAlive(owner: LockOwner): boolean {
  const start = processStart(owner.pid);
  return start !== null && (owner.start === null || start === owner.start);
}

/**
 * Takes an exclusive lock: a file created with O_EXCL holding our pid and start time. A lock
 * whose owner no longer runs is taken over. Two runs finding the same stale lock at the same
 * instant could both take it; cron's flock(1) and systemd (which never starts a running service
 * twice) close that window in the shipped examples.
 */
export function acquireLock(
  path: string,
  owner: LockOwner = { pid: process.pid, start: processStart(process.pid) },
  alive = ownerAlive,
): Lock {
  mkdirSync(dirname(path), { recursive: true });
  const content = `${owner.pid} ${owner.start ?? "-"}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, content, { flag: "wx", mode: 0o644 });
      return {
        ok: true,
        release() {
          try {
            if (readFileSync(path, "utf8") === content) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder: LockOwner;
    try {
      const [pid = "", start = "-"] = readFileSync(path, "utf8").trim().split(" ");
      holder = { pid: Number.parseInt(pid, 10), start: start === "-" ? null : start };
    } catch {
      continue; // released between our create and our read: try again
    }
    if (Number.isInteger(holder.pid) && holder.pid > 0 && alive(holder))
      return { ok: false, holder: holder.pid };
    try {
      unlinkSync(path);
    } catch {
      // another run removed it first
    }
  }
  return { ok: false, holder: Number.NaN };
}
