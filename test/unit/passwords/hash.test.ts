import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { checkHashFormat, createPasswordHasher } from "../../../src/passwords/index.js";
import { loadDoveadmVectors, wrongPasswordFor } from "./vectors.js";

const { passwords } = loadDoveadmVectors();
const hasher = createPasswordHasher({ bcryptCost: 10, workers: 2, queueMax: 16 });
afterAll(() => hasher.close());

// Written by hash() during development and accepted by `doveadm pw -t` (Dovecot 2.3.19.1).
const KNOWN_ANSWER = "{BLF-CRYPT}$2y$10$S7siwL74S51GYOMMLvU6O.EyMgCN7tnKmvqLnYUXDVXcsM2n/AH9W";

function doveadmAvailable(): boolean {
  try {
    execFileSync("doveadm", ["pw", "-l"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("hash()", () => {
  it("writes {BLF-CRYPT}$2y$ at the configured cost, which verifies without a rehash", async () => {
    const hash = await hasher.hash(passwords.utf8);
    expect(hash).toMatch(/^\{BLF-CRYPT\}\$2y\$10\$[./A-Za-z0-9]{53}$/);
    expect(checkHashFormat(hash)).toEqual({ ok: true, scheme: "BLF-CRYPT" });
    expect(await hasher.verify(passwords.utf8, hash)).toEqual({ status: "match", needsRehash: false });
    expect(await hasher.verify(wrongPasswordFor(passwords.utf8), hash)).toEqual({ status: "mismatch" });
  });

  it("salts every hash differently", async () => {
    const [first, second] = await Promise.all([hasher.hash(passwords.ascii), hasher.hash(passwords.ascii)]);
    expect(first).not.toBe(second);
  });

  it("reads back its known answer, a hash Dovecot accepted", async () => {
    expect(await hasher.verify(passwords.ascii, KNOWN_ANSWER)).toEqual({
      status: "match",
      needsRehash: false,
    });
  });

  it.skipIf(!doveadmAvailable())("writes hashes that doveadm verifies", async () => {
    for (const password of [passwords.ascii, passwords.utf8]) {
      const hash = await hasher.hash(password);
      const output = execFileSync("doveadm", ["pw", "-t", hash, "-p", password], { encoding: "utf8" });
      expect(output).toContain("(verified)");
    }
  });
});

describe("dummyVerify()", () => {
  it("resolves to nothing", async () => {
    expect(await hasher.dummyVerify(passwords.ascii)).toBeUndefined();
  });

  it("costs about what verifying a current-policy hash costs", async () => {
    const current = await hasher.hash(passwords.ascii);
    const time = async (run: () => Promise<unknown>) => {
      const started = performance.now();
      await run();
      return performance.now() - started;
    };
    const real: number[] = [];
    const dummy: number[] = [];
    for (let i = 0; i < 5; i++) {
      real.push(await time(() => hasher.verify(passwords.ascii, current)));
      dummy.push(await time(() => hasher.dummyVerify(passwords.ascii)));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[2] ?? 0;
    // Loose bounds: the point is that a dummy is a real bcrypt run, not a no-op, on a busy machine too.
    expect(median(dummy) / median(real)).toBeGreaterThan(0.3);
    expect(median(dummy) / median(real)).toBeLessThan(3);
  });
});

describe("failureDeadline()", () => {
  it("runs a dummy verification while no real one has been timed yet", async () => {
    const fresh = createPasswordHasher({ bcryptCost: 10, workers: 1, queueMax: 4 });
    try {
      const started = performance.now();
      const deadline = await fresh.failureDeadline(passwords.ascii, started);
      const askedAt = performance.now() - started;
      const dummy = performance.now();
      await fresh.dummyVerify(passwords.ascii);
      // Lower bounds only: a loaded machine makes both slower, never the deadline earlier.
      expect(askedAt).toBeGreaterThan((performance.now() - dummy) * 0.3);
      expect(deadline - started).toBeGreaterThan(0);
    } finally {
      await fresh.close();
    }
  });

  it("is a timed verification after the start, without a worker's help", async () => {
    const fresh = createPasswordHasher({ bcryptCost: 10, workers: 1, queueMax: 4 });
    try {
      await fresh.dummyVerify(passwords.ascii); // starts the thread: not timed
      const timed: number[] = [];
      for (let i = 0; i < 2; i++) {
        const started = performance.now();
        await fresh.dummyVerify(passwords.ascii);
        timed.push(performance.now() - started);
      }
      const started = performance.now();
      const pending = fresh.failureDeadline(passwords.ascii, started);
      expect(fresh.stats()).toMatchObject({ queued: 0, running: 0 });
      // The samples are the pool's own timings of those runs, a little under what we saw.
      expect((await pending) - started).toBeGreaterThan(Math.min(...timed) * 0.8);
      expect((await pending) - started).toBeLessThan(Math.max(...timed) * 1.2);
    } finally {
      await fresh.close();
    }
  });

  it("has passed for a failure that already took longer than a verification", async () => {
    const fresh = createPasswordHasher({ bcryptCost: 4, workers: 1, queueMax: 4 });
    try {
      await fresh.dummyVerify(passwords.ascii);
      expect(await fresh.failureDeadline(passwords.ascii, performance.now() - 10_000)).toBeLessThan(
        performance.now(),
      );
    } finally {
      await fresh.close();
    }
  });
});
