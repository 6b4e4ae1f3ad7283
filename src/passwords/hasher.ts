import { LRUCache } from "lru-cache";
import { createHashPool, type HashPoolOptions } from "./hash-pool.js";
import type { HashTask } from "./hash-task.js";
import type { Verdict, VerifyOutcome } from "./outcome.js";
import { needsRehash } from "./rehash.js";
import type { VerifyContext } from "./scheme.js";
import { bcryptDummyHash } from "./schemes/bcrypt.js";
import { type ParseResult, parseStoredHash } from "./stored-hash.js";
import { verifyParsed } from "./verify-stored.js";
import { createVerifyTiming, queueWaitMs } from "./verify-timing.js";

/** Verifies and creates Dovecot password hashes without blocking the event loop. */
export interface PasswordHasher {
  /**
   * Never throws for a wrong password or a bad hash; throws HashPoolBusyError when the queue is
   * full, or on infrastructure failure. `context.user` is needed only by {DIGEST-MD5}.
   */
  verify(password: string, stored: string, context?: VerifyContext): Promise<VerifyOutcome>;
  /** New hash under the current policy, in Dovecot notation: "{BLF-CRYPT}$2y$10$...". */
  hash(password: string): Promise<string>;
  /** Costs what verifying a current-policy hash costs (for unknown users); resolves to nothing. */
  dummyVerify(password: string): Promise<void>;
  /**
   * When (a performance.now() instant) a failed login that cost less than a current-policy
   * verification (a weak password refused unchecked, a legacy digest) and started at `startedMs`
   * may be answered: once it has taken as long as a recent real verification did, plus the queue
   * wait of the moment. The caller holds the reply until then on a timer (`createHold`), not on
   * CPU. Before any verification was timed it runs a dummy one, which also gives the first sample.
   */
  failureDeadline(password: string, startedMs: number): Promise<number>;
  /** True when `stored` is not bcrypt at the configured cost: upgrade after a successful login. */
  needsRehash(stored: string): boolean;
  /** For metrics: jobs waiting, jobs running, workers. */
  stats(): { queued: number; running: number; workers: number };
  close(): Promise<void>;
}

export interface PasswordHasherOptions {
  bcryptCost: number;
  workers: number;
  queueMax: number;
  /** Told when a worker thread dies outside a job (Piscina starts a new one). */
  onWorkerError?: (error: unknown) => void;
  /** Each worker job's queue wait and run time (for metrics). */
  onTimed?: HashPoolOptions["onTimed"];
}

/** Builds the hasher and its worker pool; call close() on shutdown. */
export function createPasswordHasher(options: PasswordHasherOptions): PasswordHasher {
  const pool = createHashPool(options);
  // Fixed per hasher: same cost as a real current-policy hash, random salt, matches nothing.
  const dummyHash = `{BLF-CRYPT}${bcryptDummyHash(options.bcryptCost)}`;

  // Timed only when a worker was free: a sample then is the verification itself, and the queue
  // wait of the moment is added when a failure is held, so a congested minute does not linger.
  // The first run on each thread also waits for the thread to start: those are not timed.
  const timing = createVerifyTiming();
  let runs = 0;
  const timedVerify = async (task: Extract<HashTask, { op: "verify" }>): Promise<Verdict> => {
    const { queued, running } = pool.stats();
    const free = queued === 0 && running < options.workers;
    const started = performance.now();
    const verdict = await pool.run(task);
    if (free && ++runs > options.workers) timing.add(performance.now() - started);
    return verdict;
  };
  // Before any sample, one held failure runs dummy verifications until there is one; the failures
  // arriving meanwhile wait for those rather than each queueing their own.
  let firstSample: Promise<void> | null = null;
  const sampleFirst = async (password: string) => {
    for (let i = 0; i <= options.workers + 1 && timing.sample() === null; i++) await dummyVerify(password);
  };

  const dummyVerify = async (password: string): Promise<void> => {
    await timedVerify({ op: "verify", password, stored: dummyHash });
  };

  // Parsing a stored hash (base64 and length checks) took ~2 µs, three times per login; the
  // accounts seen lately keep theirs parsed (the login cache holds their hashes anyway).
  const parsedHashes = new LRUCache<string, ParseResult>({ max: 10_000 });
  const parse = (stored: string): ParseResult => {
    let parsed = parsedHashes.get(stored);
    if (!parsed) {
      parsed = parseStoredHash(stored);
      parsedHashes.set(stored, parsed);
    }
    return parsed;
  };

  const verdictFor = async (
    password: string,
    stored: string,
    parsed: ParseResult,
    context: VerifyContext,
  ): Promise<Verdict> => {
    if (!parsed.ok) return { status: "invalid", reason: parsed.reason };
    // Digests cost microseconds; a worker round-trip costs more than the work (see docs/passwords.md).
    if (parsed.scheme.runs === "inline") return verifyParsed(password, parsed, context);
    const task = { op: "verify" as const, password, stored, ...context };
    return needsRehash(parsed, options.bcryptCost) ? pool.run(task) : timedVerify(task);
  };

  return {
    async verify(password, stored, context = {}) {
      const parsed = parse(stored);
      const verdict = await verdictFor(password, stored, parsed, context);
      if (verdict.status === "match") {
        return { status: "match", needsRehash: needsRehash(parsed, options.bcryptCost) };
      }
      // An unreadable hash answers as slowly as an unknown user does, so that timing does not tell
      // which accounts exist with a broken row.
      if (verdict.status === "invalid") await dummyVerify(password);
      return verdict;
    },
    async hash(password) {
      return `{BLF-CRYPT}${await pool.run({ op: "hash", password, cost: options.bcryptCost })}`;
    },
    dummyVerify,
    async failureDeadline(password, startedMs) {
      if (timing.sample() === null) {
        firstSample ??= sampleFirst(password).finally(() => {
          firstSample = null;
        });
        await firstSample;
      }
      return startedMs + (timing.sample() ?? 0) + queueWaitMs(pool.stats(), timing.mean());
    },
    needsRehash: (stored) => needsRehash(parse(stored), options.bcryptCost),
    stats: () => pool.stats(),
    close: () => pool.close(),
  };
}
