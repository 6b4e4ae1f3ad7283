// Password hashing throughput and event-loop health, in one run:
//   npx tsc -p . && node dist/bench/hashing.js
// For bcrypt cost 10 and 12: verifications/s through mailauth's worker pool (bcryptjs) against
// the limit cores / (one verification, single-threaded), and the main thread's event-loop delay
// while the pool is saturated; the same for the native `bcrypt` package (libuv thread pool) side
// by side. Also what a cheap digest costs inline vs a worker round-trip. Writes the table to
// docs/BENCHMARKS-hashing.md.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import bcryptjs from "bcryptjs";
import { createHashPool } from "../src/passwords/hash-pool.js";
import { createPasswordHasher } from "../src/passwords/index.js";
import { verifyStored } from "../src/passwords/verify-stored.js";

// Native bcrypt is a devDependency used only here, and ships no types.
interface NativeBcrypt {
  hashSync(password: string, rounds: number): string;
  compareSync(password: string, hash: string): boolean;
  compare(password: string, hash: string): Promise<boolean>;
}
const nativeBcrypt = createRequire(import.meta.url)("bcrypt") as NativeBcrypt;

const PASSWORD = "Secret123!"; // the shared doveadm vectors' test password
const SSHA512 =
  "{SSHA512}bRfKhykPUDNsTx7C2yAYyX46nQGyDk4sAFFLxMhtLbR4LVoTwEA8Wks2xs1MuM1VkxatFYjLWGHRZ21U9LiouIABAxI=";
const cores = availableParallelism();
// Other processes on the machine skew every figure: recorded so a reader can tell.
const loadAtStart = loadavg()[0] ?? 0;

/** CPU seconds (busy, total) from /proc/stat, in USER_HZ ticks of 1/100 s. */
function machineCpu(): { busy: number; total: number } {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

/** Share of the machine's CPU time that other processes used between two readings. */
function othersShare(before: ReturnType<typeof machineCpu>, ownBefore: NodeJS.CpuUsage): number {
  const after = machineCpu();
  const own = process.cpuUsage(ownBefore);
  const ownSeconds = (own.user + own.system) / 1e6;
  return Math.max(0, (after.busy - before.busy - ownSeconds) / (after.total - before.total));
}

interface Row {
  library: string;
  cost: number;
  singleMs: number;
  limit: number;
  measured: number;
  p99Ms: number;
  maxMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function timeSync(runs: number, work: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return median(times);
}

/** Runs `jobs` at once (the executor saturated throughout) while watching the event loop. */
async function saturate(jobs: number, start: () => Promise<unknown>) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  await Promise.all(Array.from({ length: jobs }, start));
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  return { perSecond: jobs / seconds, p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 };
}

async function benchPool(cost: number, jobs: number): Promise<Row> {
  const hash = bcryptjs.hashSync(PASSWORD, cost).replace(/^\$2b\$/, "$2y$");
  const singleMs = timeSync(cost >= 12 ? 3 : 7, () => bcryptjs.compareSync(PASSWORD, hash));
  const hasher = createPasswordHasher({ bcryptCost: cost, workers: cores, queueMax: jobs });
  try {
    const stored = `{BLF-CRYPT}${hash}`;
    // Each worker is a fresh V8 isolate: let its JIT optimise bcryptjs before timing.
    await Promise.all(Array.from({ length: 4 * cores }, () => hasher.verify(PASSWORD, stored)));
    const run = await saturate(jobs, async () => {
      const outcome = await hasher.verify(PASSWORD, stored);
      if (outcome.status !== "match") throw new Error("pool verification failed");
    });
    return {
      library: "bcryptjs in the worker pool",
      cost,
      singleMs,
      limit: (cores * 1000) / singleMs,
      measured: run.perSecond,
      ...run,
    };
  } finally {
    await hasher.close();
  }
}

async function benchNative(cost: number, jobs: number): Promise<Row> {
  // $2b$: native bcrypt@6 returns false for every $2y$ hash (see shared/reference/passwords.md).
  const hash = nativeBcrypt.hashSync(PASSWORD, cost);
  const singleMs = timeSync(cost >= 12 ? 3 : 7, () => nativeBcrypt.compareSync(PASSWORD, hash));
  await Promise.all(Array.from({ length: 4 * cores }, () => nativeBcrypt.compare(PASSWORD, hash)));
  const run = await saturate(jobs, async () => {
    if (!(await nativeBcrypt.compare(PASSWORD, hash))) throw new Error("native verification failed");
  });
  return {
    library: "native bcrypt (libuv pool)",
    cost,
    singleMs,
    limit: (cores * 1000) / singleMs,
    measured: run.perSecond,
    ...run,
  };
}

/** Microseconds per cheap-digest verification inline vs through a worker (sequential round-trips). */
async function benchCheapDigest(): Promise<{ inlineUs: number; pooledUs: number }> {
  const runs = 2000;
  const inlineStarted = performance.now();
  for (let i = 0; i < runs; i++) verifyStored(PASSWORD, SSHA512, {});
  const inlineUs = ((performance.now() - inlineStarted) * 1000) / runs;

  const pool = createHashPool({ workers: 1, queueMax: 1 });
  try {
    await pool.run({ op: "verify", password: PASSWORD, stored: SSHA512 });
    const pooledStarted = performance.now();
    for (let i = 0; i < runs; i++) await pool.run({ op: "verify", password: PASSWORD, stored: SSHA512 });
    return { inlineUs, pooledUs: ((performance.now() - pooledStarted) * 1000) / runs };
  } finally {
    await pool.close();
  }
}

function cpuModel(): string {
  const line = readFileSync("/proc/cpuinfo", "utf8")
    .split("\n")
    .find((l) => l.startsWith("model name"));
  return line?.split(":")[1]?.trim() ?? "unknown";
}

function render(rows: Row[], cheap: { inlineUs: number; pooledUs: number }, others: number): string {
  const f = (n: number, digits = 1) => n.toFixed(digits);
  const lines = [
    "# Password hashing benchmark",
    "",
    `Machine: ${cpuModel()}, ${cores} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; load average ${f(loadAtStart, 2)} at start.`,
    `Other processes used ${f(others * 100)}% of the machine's CPU during the run (above a few %, limits are not reached).`,
    "Produced by `npx tsc -p . && node dist/bench/hashing.js`; figures move 10-20% between runs.",
    "",
    "| library | cost | one verification, single thread (ms) | limit: cores / time (/s) | measured (/s) | measured / limit | loop delay p99 (ms) | loop delay max (ms) |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.library} | ${r.cost} | ${f(r.singleMs)} | ${f(r.limit)} | ${f(r.measured)} | ${f(r.measured / r.limit, 2)} | ${f(r.p99Ms)} | ${f(r.maxMs)} |`,
    ),
    "",
    `Cheap digest ({SSHA512}): ${f(cheap.inlineUs)} µs inline on the main thread vs ${f(cheap.pooledUs)} µs through a worker round-trip, so digests stay inline.`,
    "",
    "Goals: pool throughput at least 0.9 of the limit; event-loop delay p99 under 10 ms while saturated.",
    "",
  ];
  return lines.join("\n");
}

const cpuBefore = machineCpu();
const ownBefore = process.cpuUsage();
const rows: Row[] = [];
for (const [cost, jobs] of [
  [10, 40 * cores],
  [12, 12 * cores],
] as const) {
  rows.push(await benchPool(cost, jobs));
  rows.push(await benchNative(cost, jobs));
}
const cheap = await benchCheapDigest();
const report = render(rows, cheap, othersShare(cpuBefore, ownBefore));
writeFileSync(new URL("../../docs/BENCHMARKS-hashing.md", import.meta.url), report);
console.log(report);
