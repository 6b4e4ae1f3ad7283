import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireLock, ownerAlive, processStart } from "../../src/firewall/lock.js";

const dir = mkdtempSync(join(tmpdir(), "mailauth-lock-"));
const path = join(dir, "state", "sync.lock");
afterEach(() => rmSync(join(dir, "state"), { recursive: true, force: true }));
const owner = (pid: number, start: string | null = "100") => ({ pid, start });

describe("acquireLock", () => {
  it("creates the lock file with our pid and start time and removes it on release", () => {
    const lock = acquireLock(path, owner(4242), () => true);
    expect(lock.ok).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("4242 100\n");
    if (lock.ok) lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it("refuses a second holder while the first process lives, naming it", () => {
    const first = acquireLock(path, owner(4242), () => true);
    expect(acquireLock(path, owner(5151), () => true)).toEqual({ ok: false, holder: 4242 });
    if (first.ok) first.release();
  });

  it("takes over the lock of a process that died", () => {
    acquireLock(path, owner(4242), () => true);
    const lock = acquireLock(path, owner(5151), (o) => o.pid !== 4242);
    expect(lock.ok).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("5151 100\n");
  });

  it("does not remove a lock another run took over after ours was declared dead", () => {
    const ours = acquireLock(path, owner(4242), () => true);
    writeFileSync(path, "5151 100\n");
    if (ours.ok) ours.release();
    expect(readFileSync(path, "utf8")).toBe("5151 100\n");
  });

  it("takes over a lock left by SIGTERM or a reboot whose pid now belongs to another process", () => {
    // pid 1 runs, but it started long before this test's process: the lock names another start.
    acquireLock(path, { pid: 1, start: "999999999999" }, () => true);
    const lock = acquireLock(path);
    expect(lock.ok).toBe(true);
    expect(readFileSync(path, "utf8")).toBe(`${process.pid} ${processStart(process.pid)}\n`);
    if (lock.ok) lock.release();
  });
});

describe("ownerAlive", () => {
  it("knows this process by its pid and start time, and not a reused pid", () => {
    const start = processStart(process.pid);
    expect(start).toMatch(/^\d+$/);
    expect(ownerAlive({ pid: process.pid, start })).toBe(true);
    expect(ownerAlive({ pid: process.pid, start: `${start}1` })).toBe(false);
    expect(ownerAlive({ pid: 4_194_999, start: null })).toBe(false); // above pid_max
  });
});
