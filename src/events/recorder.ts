import type { Db } from "../db/database.js";
import type { Logger } from "../log.js";

/** One login attempt as stored; never the password. */
export interface AuthEvent {
  at: Date;
  ip: string | null;
  login: string;
  service: string;
  outcome: string;
  reason: string | null;
}

export interface EventRecorder {
  /** Queues an event; never waits for the database. */
  record(event: AuthEvent): void;
  /** Writes everything queued now (tests, shutdown). Rejects when the database refuses. */
  flush(): Promise<void>;
  stats(): { buffered: number; dropped: number; written: number };
  close(): Promise<void>;
}

export interface RecorderOptions {
  flushIntervalMs?: number;
  batchSize?: number;
  /** Beyond this many buffered events (database down), the oldest are dropped and counted. */
  maxBuffered?: number;
}

/**
 * Buffers auth events and writes them in batches with one multi-row INSERT, so a login's reply
 * never waits for its event. While the database is down the buffer keeps the newest events.
 */
export function createEventRecorder(db: Db, log: Logger, options: RecorderOptions = {}): EventRecorder {
  const flushIntervalMs = options.flushIntervalMs ?? 250;
  const batchSize = options.batchSize ?? 1000;
  const maxBuffered = options.maxBuffered ?? 50_000;
  let buffer: AuthEvent[] = [];
  /** Events taken out of the buffer by the write in progress: still waiting, not yet written. */
  let writing = 0;
  let dropped = 0;
  let written = 0;
  let flushing: Promise<void> | null = null;
  let failing = false;

  async function writeBatches(): Promise<void> {
    while (buffer.length > 0) {
      const batch = buffer.splice(0, batchSize);
      writing = batch.length;
      try {
        await insertBatch(batch);
      } catch (error) {
        buffer = batch.concat(buffer);
        trim();
        throw error;
      } finally {
        writing = 0;
      }
      written += batch.length;
      if (failing) log.info({ buffered: buffer.length }, "auth events are being written again");
      failing = false;
    }
  }

  function trim(): void {
    if (buffer.length <= maxBuffered) return;
    const excess = buffer.length - maxBuffered;
    buffer.splice(0, excess);
    dropped += excess;
  }

  async function insertBatch(batch: AuthEvent[]): Promise<void> {
    await db.query(
      `INSERT INTO auth_events (at, ip, login, service, outcome, reason)
         SELECT * FROM unnest($1::timestamptz[], $2::inet[], $3::text[], $4::text[], $5::text[], $6::text[])`,
      [
        batch.map((e) => e.at.toISOString()),
        batch.map((e) => e.ip),
        batch.map((e) => e.login),
        batch.map((e) => e.service),
        batch.map((e) => e.outcome),
        batch.map((e) => e.reason),
      ],
    );
  }

  function flush(): Promise<void> {
    flushing ??= writeBatches().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  const timer = setInterval(() => {
    if (buffer.length === 0 || flushing) return;
    flush().catch((error: Error) => {
      if (!failing)
        log.error({ err: error.message, buffered: buffer.length }, "cannot write auth events; buffering");
      failing = true;
    });
  }, flushIntervalMs);
  timer.unref();

  return {
    record(event) {
      buffer.push(event);
      trim();
    },
    flush,
    stats: () => ({ buffered: buffer.length + writing, dropped, written }),
    async close() {
      clearInterval(timer);
      await flush().catch((error: Error) =>
        log.error(
          { err: error.message, lost: buffer.length },
          "auth events could not be written at shutdown",
        ),
      );
    },
  };
}
