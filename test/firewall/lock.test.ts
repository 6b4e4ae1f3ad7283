import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireLock } from "../../src/firewall/lock.js";

const dir = mkdtempSync(join(tmpdir(), "mailauth-lock-"));
const path = join(dir, "state", "sync.lock");
afterEach(() => rmSync(join(dir, "state"), { recursive: true, force: true }));

describe("acquireLock", () => {
  it("creates the lock file with our pid and removes it on release", () => {
    const lock = acquireLock(path, 4242, () => true);
    expect(lock.ok).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("4242\n");
    if (lock.ok) lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it("refuses a second holder while the first process lives, naming it", () => {
    const first = acquireLock(path, 4242, () => true);
    expect(acquireLock(path, 5151, () => true)).toEqual({ ok: false, holder: 4242 });
    if (first.ok) first.release();
  });

  it("takes over the lock of a process that died", () => {
    acquireLock(path, 4242, () => true);
    const lock = acquireLock(path, 5151, (pid) => pid !== 4242);
    expect(lock.ok).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("5151\n");
  });

  it("does not remove a lock another run took over after ours was declared dead", () => {
    const ours = acquireLock(path, 4242, () => true);
    writeFileSync(path, "5151\n");
    if (ours.ok) ours.release();
    expect(readFileSync(path, "utf8")).toBe("5151\n");
  });
});
