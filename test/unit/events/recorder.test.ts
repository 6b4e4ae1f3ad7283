import { describe, expect, it } from "vitest";
import type { Db } from "../../../src/db/database.js";
import { type AuthEvent, createEventRecorder } from "../../../src/events/recorder.js";
import { createLogger } from "../../../src/log.js";

const log = createLogger({ logLevel: "silent", logFormat: "json" });
const event = (login: string): AuthEvent => ({
  at: new Date(0),
  ip: "192.0.2.1",
  login,
  service: "imap",
  outcome: "temporary_failure",
  reason: null,
});

/** A database whose INSERTs wait until the test settles them. */
function heldDb() {
  const inserts: { logins: string[]; settle(error?: Error): void }[] = [];
  const db = {
    query: (_sql: string, params?: unknown[]) =>
      new Promise((resolve, reject) => {
        inserts.push({
          logins: (params?.[2] as string[]) ?? [],
          settle: (error) => (error ? reject(error) : resolve([])),
        });
      }),
  } as unknown as Db;
  return { db, inserts };
}

describe("the event recorder", () => {
  it("counts a batch being written as buffered until it is written", async () => {
    const { db, inserts } = heldDb();
    const recorder = createEventRecorder(db, log, { flushIntervalMs: 60_000 });
    for (const login of ["a", "b", "c"]) recorder.record(event(login));
    const flushed = recorder.flush();
    expect(inserts).toHaveLength(1);
    expect(recorder.stats()).toEqual({ buffered: 3, dropped: 0, written: 0 });
    inserts[0]?.settle();
    await flushed;
    expect(recorder.stats()).toEqual({ buffered: 0, dropped: 0, written: 3 });
    await recorder.close();
  });

  it("keeps the newest events when a failed write leaves more than it may hold", async () => {
    const { db, inserts } = heldDb();
    const recorder = createEventRecorder(db, log, { flushIntervalMs: 60_000, maxBuffered: 3 });
    for (const login of ["a", "b", "c"]) recorder.record(event(login));
    const failed = recorder.flush();
    for (const login of ["d", "e"]) recorder.record(event(login));
    expect(recorder.stats()).toEqual({ buffered: 5, dropped: 0, written: 0 });
    inserts[0]?.settle(new Error("connection refused"));
    await expect(failed).rejects.toThrow("connection refused");
    expect(recorder.stats()).toEqual({ buffered: 3, dropped: 2, written: 0 });
    const retried = recorder.flush();
    expect(inserts[1]?.logins).toEqual(["c", "d", "e"]);
    inserts[1]?.settle();
    await retried;
    expect(recorder.stats()).toEqual({ buffered: 0, dropped: 2, written: 3 });
    await recorder.close();
  });
});
