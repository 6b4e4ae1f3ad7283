import { describe, expect, it } from "vitest";
import {
  DEFAULT_REPUTATION,
  passwordTag,
  reputationSettingsProblems,
  sprayTag,
} from "../../../src/reputation/model.js";
import { scene } from "./helpers.js";

const KEY = Buffer.from("0123456789abcdef0123456789abcdef");

describe("password tags", () => {
  it("are 8 hex characters that depend on the key, the login and the password", () => {
    const tag = passwordTag(KEY, "paul@example.org", "hunter2");
    expect(tag).toMatch(/^[0-9a-f]{8}$/);
    expect(passwordTag(KEY, "paul@example.org", "hunter2")).toBe(tag);
    expect(passwordTag(KEY, "anne@example.org", "hunter2")).not.toBe(tag);
    expect(passwordTag(KEY, "paul@example.org", "hunter3")).not.toBe(tag);
    expect(passwordTag(Buffer.from("another key"), "paul@example.org", "hunter2")).not.toBe(tag);
  });

  it("are the same for one password on any login when password-only (spray tags)", () => {
    expect(sprayTag(KEY, "Spring2026!")).toMatch(/^[0-9a-f]{8}$/);
    expect(sprayTag(KEY, "Spring2026!")).toBe(sprayTag(KEY, "Spring2026!"));
    expect(sprayTag(KEY, "Spring2026!")).not.toBe(passwordTag(KEY, "", "Spring2026!"));
  });
});

describe("explain", () => {
  it("gives an untracked IP a clean standing", () => {
    const { clock, book } = scene();
    const explanation = book.explain("192.0.2.1", clock.now());
    expect(explanation).toMatchObject({ key: "192.0.2.1", tracked: false, verdict: { action: "allow" } });
    expect(explanation.standing.score).toBe(0);
    expect(explanation.standing.tolerance).toBe(1);
  });

  it("shows the evidence, the limits after tolerance and the verdict in sentences", () => {
    const { clock, book, attempt } = scene();
    attempt("192.0.2.7", "anne@example.org", "ok");
    attempt("192.0.2.7", "paul@example.org", "wrong_password", "a");
    attempt("192.0.2.7", "paul@example.org", "wrong_password", "b");
    attempt("192.0.2.7", "paul@example.org", "wrong_password", "b");
    attempt("192.0.2.7", "ghost@example.org", "unknown_user", "c");
    const e = book.explain("192.0.2.7", clock.now());
    expect(e.tracked).toBe(true);
    expect(e.firstSeen).toEqual(clock.now());
    expect(e.standing).toMatchObject({
      failures: { wrong_password: 2, unknown_user: 1, weak_password: 0, disabled: 0 },
      failedLogins: 2,
      worstLogin: { login: "paul@example.org", passwords: 2 },
      successes: 1,
      score: 3,
      tolerance: 1.5,
    });
    expect(e.limits).toEqual({
      badReputationScore: 4.5,
      banScore: 30,
      dictionaryPasswords: 15,
      sprayLogins: 15,
    });
    expect(e.verdict).toEqual({ action: "allow" });
    expect(e.why).toEqual([
      "recent failures (halving every 6 h): 2 wrong passwords, 1 unknown login on 2 logins",
      "tolerance ×1.5 from 1 recent successful logins",
      "score 3; a ban at 30",
      "most passwords on one login: 2 (paul@example.org); a ban at 15",
      "failing logins: 2; a ban at 15",
      "a new weak password from here would be refused, not banned (score below 4.5)",
      "allowed: closest rule (dictionary) at 13 % of a ban",
    ]);
  });

  it("never holds a password, only its tag", () => {
    const { clock, book, attempt } = scene();
    attempt("192.0.2.8", "paul@example.org", "wrong_password", "s3cret-Passw0rd");
    expect(JSON.stringify(book.explain("192.0.2.8", clock.now()))).not.toContain("s3cret");
  });
});

describe("settings", () => {
  it("has defaults with no problems", () => {
    expect(reputationSettingsProblems(DEFAULT_REPUTATION)).toEqual([]);
  });

  it("names each setting that is out of range", () => {
    const problems = reputationSettingsProblems({
      ...DEFAULT_REPUTATION,
      v6Prefix: 20,
      tarpitFrom: 1,
      badReputationScore: 30,
    });
    expect(problems).toEqual([
      "v6Prefix must be a whole number from 32 to 128, got 20",
      "badReputationScore must be below banScore",
      "tarpitFrom must be between 0 and 1, got 1",
    ]);
  });
});
