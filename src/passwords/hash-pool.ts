import { Piscina } from "piscina";
import type { HashTask, HashTaskReply, HashTaskResult } from "./hash-task.js";

/** The hash queue is full: the caller should answer with a temporary failure, not "wrong password". */
export class HashPoolBusyError extends Error {
  constructor() {
    super("password hashing queue is full");
    this.name = "HashPoolBusyError";
  }
}

/** A bounded queue in front of worker threads that run the slow hashes. */
export interface HashPool {
  run<K extends HashTask["op"]>(task: Extract<HashTask, { op: K }>): Promise<HashTaskResult[K]>;
  stats(): { queued: number; running: number; workers: number };
  close(): Promise<void>;
}

export interface HashPoolOptions {
  workers: number;
  queueMax: number;
  /** Worker crashes outside a job (the job itself rejects); Piscina replaces the thread. */
  onWorkerError?: (error: unknown) => void;
  /** Told of each finished job: seconds it waited for a worker (and crossed threads), seconds it ran. */
  onTimed?: (op: HashTask["op"], waitSeconds: number, runSeconds: number) => void;
}

/**
 * Where the worker code is. Compiled, this module is dist/src/passwords/hash-pool.js and its
 * sibling worker.js loads in plain Node. Run from source (vitest, or any TypeScript runner), the
 * sibling is worker.ts, which Node 20 cannot load in a worker thread: the worker then starts with
 * ts-source/register.mjs, a 30-line loader that transpiles .ts files with the project's own
 * TypeScript compiler. Chosen over a hand-written .mjs worker (scheme code would exist twice, or
 * untyped) and over building before tests (stale dist/ would be tested silently).
 */
function workerLocation(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith(".ts");
  if (!fromSource) return { filename: new URL("./worker.js", import.meta.url).href, execArgv: [] };
  return {
    filename: new URL("./worker.ts", import.meta.url).href,
    execArgv: ["--import", new URL("./ts-source/register.mjs", import.meta.url).href],
  };
}

/** Starts `workers` threads; at most `queueMax` jobs wait beyond those running. */
export function createHashPool(options: HashPoolOptions): HashPool {
  const { filename, execArgv } = workerLocation();
  const piscina = new Piscina({
    filename,
    execArgv,
    minThreads: options.workers,
    maxThreads: options.workers,
    idleTimeout: Number.POSITIVE_INFINITY,
    concurrentTasksPerWorker: 1,
  });
  piscina.on("error", (error: unknown) => options.onWorkerError?.(error));

  // Counted here rather than with Piscina's maxQueue, whose capacity also depends on how many
  // threads have finished starting: the bound must hold from the first request on.
  const capacity = options.workers + options.queueMax;
  let inFlight = 0;
  let closed = false;

  return {
    async run(task) {
      if (closed) throw new Error("password hasher is closed");
      if (inFlight >= capacity) throw new HashPoolBusyError();
      inFlight++;
      const submitted = performance.now();
      try {
        const { value, ms } = (await piscina.run(task)) as HashTaskReply;
        options.onTimed?.(task.op, Math.max(0, performance.now() - submitted - ms) / 1000, ms / 1000);
        return value as HashTaskResult[typeof task.op];
      } finally {
        inFlight--;
      }
    },
    stats() {
      const queued = Math.min(piscina.queueSize, inFlight);
      return { queued, running: inFlight - queued, workers: piscina.threads.length };
    },
    async close() {
      closed = true;
      await piscina.close();
    },
  };
}
