// Where a bench's CPU time went, read from /proc (Linux): per process tree and for the whole
// machine, so a run on a shared machine shows how much of it others were using.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** CPU seconds of the process itself (all its threads). */
  self: number;
  /** CPU seconds of the children it has waited for (exited ones). */
  reaped: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null; // exited
  }
  // comm sits in parentheses and may hold spaces or parentheses itself.
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  const tick = (index: number) => Number(fields[index]) / TICKS_PER_SECOND;
  // fields[0] is state (stat field 3): utime is field 14, so index 11.
  return {
    pid,
    comm: text.slice(open + 1, close),
    ppid: Number(fields[1]),
    self: tick(11) + tick(12),
    reaped: tick(13) + tick(14),
  };
}

/** The live children of `pid`. */
export function childrenOf(pid: number): ProcStat[] {
  const children: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat?.ppid === pid) children.push(stat);
  }
  return children;
}

/** CPU seconds a process has used, its threads included. */
export function processCpu(pid: number): number {
  return readStat(pid)?.self ?? 0;
}

/**
 * CPU seconds of a process tree two levels deep (a master and the workers it forks): the root,
 * its live children and every child it has already reaped. Differences between two readings are
 * what the tree used in between, short-lived children included.
 */
export function treeCpu(rootPid: number, exclude: (child: ProcStat) => boolean = () => false): number {
  const root = readStat(rootPid);
  if (!root) return 0;
  let total = root.self + root.reaped;
  for (const child of childrenOf(rootPid)) if (!exclude(child)) total += child.self + child.reaped;
  return total;
}

/** Busy and total CPU seconds of the whole machine so far (all cores, /proc/stat). */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}
