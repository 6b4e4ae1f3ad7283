import { describe, expect, it } from "vitest";
import { DEFAULT_REPUTATION, type Verdict } from "../../../src/reputation/model.js";
import { actions, DAY, HOUR, MINUTE, scene } from "./helpers.js";

const PHONE = "198.51.100.23";
const BOT = "203.0.113.66";

describe("a phone retrying one old password", () => {
  it("is never banned nor delayed, every minute for three days", () => {
    const { clock, attempt } = scene();
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 3 * 24 * 60; i++) {
      verdicts.push(attempt(PHONE, "marie@example.org", "wrong_password", "old-password-2019"));
      clock.advance(MINUTE);
    }
    expect(new Set(actions(verdicts))).toEqual(new Set(["allow"]));
  });

  it("is not banned either when that old password is a weak one", () => {
    const { clock, attempt } = scene();
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 24 * 60; i++) {
      verdicts.push(attempt(PHONE, "marie@example.org", "weak_password", "soleil2019"));
      clock.advance(MINUTE);
    }
    expect(new Set(actions(verdicts))).toEqual(new Set(["allow"]));
  });

  it("is delayed a second at most when its owner also mistypes the new password twice", () => {
    const { clock, attempt } = scene();
    attempt(PHONE, "marie@example.org", "wrong_password", "new-Pa55word-typo1");
    attempt(PHONE, "marie@example.org", "wrong_password", "new-Pa55word-typo2");
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 24 * 60; i++) {
      clock.advance(MINUTE);
      verdicts.push(attempt(PHONE, "marie@example.org", "wrong_password", "old-password-2019"));
    }
    expect(verdicts.filter((v) => v.action === "ban")).toEqual([]);
    expect(Math.max(...verdicts.map((v) => (v.action === "tarpit" ? v.delaySeconds : 0)))).toBe(1);
    expect(verdicts.at(-1)).toEqual({ action: "allow" });
  });
});

describe("one weak try", () => {
  it("from a clean IP is not banned", () => {
    const { attempt } = scene();
    expect(attempt("192.0.2.10", "paul@example.org", "weak_password", "azerty123")).toEqual({
      action: "allow",
    });
  });

  it("after a single typo is not banned", () => {
    const { attempt } = scene();
    attempt("192.0.2.10", "paul@example.org", "wrong_password", "Correct-Horse-Battery");
    expect(attempt("192.0.2.10", "paul@example.org", "weak_password", "azerty123").action).not.toBe("ban");
  });
});

describe("a weak password from an IP of bad reputation", () => {
  it("is banned at once after a few distinct wrong passwords", () => {
    const { clock, attempt } = scene();
    for (const password of ["Tr0ub4dor&3", "correct-horse", "Winter2025!"]) {
      expect(attempt(BOT, "paul@example.org", "wrong_password", password).action).not.toBe("ban");
      clock.advance(MINUTE);
    }
    expect(attempt(BOT, "paul@example.org", "weak_password", "123456")).toEqual({
      action: "ban",
      reason: "weak password from an IP of bad reputation (score 3)",
    });
  });

  it("is banned at once after a few unknown logins", () => {
    const { attempt } = scene();
    for (const login of ["admin@example.org", "info@example.org", "test@example.org"]) {
      attempt(BOT, login, "unknown_user", "x7#kP2!mQ");
    }
    expect(attempt(BOT, "paul@example.org", "weak_password", "password")).toMatchObject({
      action: "ban",
      reason: expect.stringMatching(/^weak password from an IP of bad reputation/),
    });
  });

  it("is what stops a bot trying common passwords on its third guess", () => {
    const { attempt } = scene();
    const verdicts = ["123456", "password", "azerty"].map((p) =>
      attempt(BOT, "paul@example.org", "weak_password", p),
    );
    expect(actions(verdicts)).toEqual(["allow", "allow", "ban"]);
  });

  it("is only refused when the earlier failures are a day old", () => {
    const { clock, attempt } = scene();
    for (const password of ["Tr0ub4dor&3", "correct-horse", "Winter2025!"]) {
      attempt(BOT, "paul@example.org", "wrong_password", password);
    }
    clock.advance(DAY);
    expect(attempt(BOT, "paul@example.org", "weak_password", "123456").action).toBe("allow");
  });
});

describe("a dictionary bot", () => {
  it("is delayed more and more, then banned at the tenth password on one login", () => {
    const { clock, attempt } = scene();
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 12; i++) {
      verdicts.push(attempt(BOT, "paul@example.org", "wrong_password", `Strong-but-wrong-${i}`));
      clock.advance(30_000);
    }
    expect(actions(verdicts)).toEqual([
      "allow",
      "allow",
      "tarpit",
      "tarpit",
      "tarpit",
      "tarpit",
      "tarpit",
      "tarpit",
      "tarpit",
      "ban",
      "ban",
      "ban",
    ]);
    const delays = verdicts.flatMap((v) => (v.action === "tarpit" ? [v.delaySeconds] : []));
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(delays[0]).toBe(1);
    expect(Math.max(...delays)).toBeLessThanOrEqual(DEFAULT_REPUTATION.maxDelaySeconds);
    expect(verdicts[9]).toEqual({ action: "ban", reason: "dictionary attack: 10 passwords on one login" });
  });

  it("going slowly, one guess every 20 minutes, is banned within four hours", () => {
    const { clock, attempt } = scene();
    let bannedAfter = -1;
    for (let i = 0; i < 72 && bannedAfter < 0; i++) {
      if (attempt(BOT, "paul@example.org", "wrong_password", `Slow-guess-${i}`).action === "ban")
        bannedAfter = i;
      clock.advance(20 * MINUTE);
    }
    expect(bannedAfter * 20 * MINUTE).toBeGreaterThan(HOUR);
    expect(bannedAfter * 20 * MINUTE).toBeLessThan(4 * HOUR);
  });

  it("going slower still is held at long delays, and its first common password bans it", () => {
    const { clock, attempt } = scene();
    const verdicts: Verdict[] = [];
    for (let i = 0; i < 48; i++) {
      verdicts.push(attempt(BOT, "paul@example.org", "wrong_password", `Slow-guess-${i}`));
      clock.advance(HOUR);
    }
    expect(verdicts.at(-1)).toMatchObject({
      action: "tarpit",
      reason: "suspicious: 9 wrong passwords on 1 login",
    });
    const last = verdicts.at(-1);
    expect(last?.action === "tarpit" && last.delaySeconds).toBeGreaterThanOrEqual(8);
    expect(attempt(BOT, "paul@example.org", "weak_password", "marseille13").action).toBe("ban");
  });
});

describe("password spraying", () => {
  it("of one password across many logins is banned at the tenth login", () => {
    const { attempt } = scene();
    const verdicts = Array.from({ length: 12 }, (_, i) =>
      attempt(BOT, `user${i}@example.org`, "wrong_password", "Spring2026!", true),
    );
    expect(actions(verdicts).indexOf("ban")).toBe(9);
    expect(verdicts[9]).toEqual({ action: "ban", reason: "password spraying: 10 logins" });
  });

  it("is recognised without password-only tags when the logins exist", () => {
    const { attempt } = scene();
    const verdicts = Array.from({ length: 10 }, (_, i) =>
      attempt(BOT, `user${i}@example.org`, "wrong_password", i % 2 ? "Spring2026!" : "Summer2026!"),
    );
    expect(verdicts[9]).toEqual({ action: "ban", reason: "password spraying: 10 logins" });
  });
});

describe("credential stuffing", () => {
  it("of leaked pairs across many logins, some unknown here, is banned", () => {
    const { attempt } = scene();
    const verdicts = Array.from({ length: 10 }, (_, i) =>
      attempt(
        BOT,
        `victim${i}@example.org`,
        i % 3 === 0 ? "wrong_password" : "unknown_user",
        `leaked-${i}-pw`,
        true,
      ),
    );
    expect(actions(verdicts).slice(0, 9)).not.toContain("ban");
    expect(verdicts[9]).toEqual({ action: "ban", reason: "credential stuffing: 10 logins" });
  });

  it("is named as such from unknown logins alone", () => {
    const { attempt } = scene();
    const verdicts = Array.from({ length: 10 }, (_, i) =>
      attempt(BOT, `victim${i}@example.org`, "unknown_user", `leaked-${i}-pw`),
    );
    expect(verdicts[9]).toMatchObject({ reason: "credential stuffing: 10 logins" });
  });
});

describe("a shared IP with many successful users (NAT, webmail, Outlook's cloud)", () => {
  const WEBMAIL = "192.0.2.200";

  it("is never banned for a working day of logins with typos and one user's weak password", () => {
    const { clock, attempt } = scene();
    const verdicts: Verdict[] = [];
    for (let hour = 0; hour < 10; hour++) {
      for (let user = 0; user < 40; user++) verdicts.push(attempt(WEBMAIL, `staff${user}@example.org`, "ok"));
      // Three people an hour get their password wrong, twice each, then right.
      for (let k = 0; k < 3; k++) {
        const login = `staff${(hour * 3 + k) % 40}@example.org`;
        verdicts.push(attempt(WEBMAIL, login, "wrong_password", `typo-a-${hour}`));
        verdicts.push(attempt(WEBMAIL, login, "wrong_password", `typo-b-${hour}`));
      }
      verdicts.push(attempt(WEBMAIL, "intern@example.org", "weak_password", "bonjour1"));
      clock.advance(HOUR);
    }
    expect(actions(verdicts)).not.toContain("ban");
  });

  it("still has an attack from it caught, since tolerance is capped", () => {
    const { attempt } = scene();
    for (let user = 0; user < 200; user++) attempt(WEBMAIL, `staff${user}@example.org`, "ok");
    let bannedAt = -1;
    for (let i = 0; i < 100 && bannedAt < 0; i++) {
      if (attempt(WEBMAIL, `target${i}@example.org`, "wrong_password", "Spring2026!").action === "ban")
        bannedAt = i + 1;
    }
    expect(bannedAt).toBe(DEFAULT_REPUTATION.sprayLogins * DEFAULT_REPUTATION.maxTolerance);
  });

  it("is never banned when each of its 60 users mistypes once, however many share it", () => {
    const { clock, attempt } = scene();
    const NAT = "100.64.0.1";
    const verdicts: Verdict[] = [];
    for (let user = 0; user < 60; user++) verdicts.push(attempt(NAT, `sub${user}@example.org`, "ok"));
    for (let user = 0; user < 60; user++) {
      clock.advance(MINUTE);
      verdicts.push(attempt(NAT, `sub${user}@example.org`, "wrong_password", `stale-${user}`));
      verdicts.push(attempt(NAT, `sub${user}@example.org`, "ok"));
    }
    // And then a subscriber types a weak password: refused, but the address is not banned.
    verdicts.push(attempt(NAT, "sub7@example.org", "weak_password", "soleil"));
    expect(actions(verdicts)).not.toContain("ban");
  });

  it("still has a dictionary attack on one of its own users' logins caught", () => {
    const { attempt } = scene();
    const NAT = "100.64.0.2";
    for (let user = 0; user < 60; user++) attempt(NAT, `sub${user}@example.org`, "ok");
    let bannedAt = -1;
    for (let i = 0; i < 200 && bannedAt < 0; i++) {
      if (attempt(NAT, "sub1@example.org", "wrong_password", `guess-${i}`).action === "ban") bannedAt = i + 1;
    }
    expect(bannedAt).toBe(DEFAULT_REPUTATION.dictionaryPasswords * DEFAULT_REPUTATION.maxTolerance);
  });

  it("would have been banned for the same typos without its successes", () => {
    const { attempt } = scene();
    const verdicts = Array.from({ length: 12 }, (_, i) =>
      attempt(WEBMAIL, `staff${i}@example.org`, "wrong_password", `typo-${i}`),
    );
    expect(actions(verdicts)).toContain("ban");
  });
});

describe("decay", () => {
  it("makes evidence a day old weigh a sixteenth, and lets a banned bot's standing clear", () => {
    const { clock, book, attempt } = scene();
    for (let i = 0; i < 10; i++) attempt(BOT, "paul@example.org", "wrong_password", `guess-${i}`);
    expect(book.judge(BOT, clock.now()).action).toBe("ban");
    clock.advance(DAY);
    const { standing } = book.explain(BOT, clock.now());
    expect(standing.score).toBeCloseTo(10 / 16, 5);
    expect(book.judge(BOT, clock.now())).toEqual({ action: "allow" });
  });

  it("lets a pair be counted again once it is forgotten", () => {
    const { clock, book, attempt } = scene();
    attempt(PHONE, "marie@example.org", "wrong_password", "old");
    clock.advance(DEFAULT_REPUTATION.memoryMs + MINUTE);
    attempt(PHONE, "marie@example.org", "wrong_password", "old");
    expect(book.explain(PHONE, clock.now()).standing.failures.wrong_password).toBeCloseTo(1, 3);
  });
});

describe("IPv6", () => {
  it("judges every address of one /64 together, and another /64 apart", () => {
    const { attempt } = scene();
    const verdicts = Array.from({ length: 10 }, (_, i) =>
      attempt(`2001:db8:5:6::${(i + 1).toString(16)}:1`, "paul@example.org", "wrong_password", `guess-${i}`),
    );
    expect(verdicts[9]).toMatchObject({ action: "ban" });
    const { book, clock } = scene();
    expect(book.judge("2001:db8:5:7::1", clock.now())).toEqual({ action: "allow" });
  });

  it("answers for the /64 when asked about any address in it", () => {
    const { clock, book, attempt } = scene();
    for (let i = 0; i < 10; i++)
      attempt("2001:db8:5:6::1", "paul@example.org", "wrong_password", `guess-${i}`);
    expect(book.judge("2001:db8:5:6:ffff::2", clock.now()).action).toBe("ban");
    expect(book.judge("2001:db8:5:7::1", clock.now()).action).toBe("allow");
    expect(book.explain("2001:db8:5:6:ffff::2", clock.now()).key).toBe("2001:db8:5:6::/64");
  });
});

describe("what does not count", () => {
  it("a login Dovecot refused on our word (policy_reject) is not a wrong password", () => {
    const { clock, book, attempt } = scene();
    for (let i = 0; i < 50; i++) attempt(BOT, `user${i}@example.org`, "policy_reject");
    expect(book.judge(BOT, clock.now())).toEqual({ action: "allow" });
    expect(book.explain(BOT, clock.now()).tracked).toBe(false);
  });

  it("an attempt with no usable address changes nothing", () => {
    const { book, attempt } = scene();
    expect(attempt("not-an-ip", "paul@example.org", "wrong_password", "x")).toEqual({ action: "allow" });
    expect(book.size).toBe(0);
  });
});

describe("memory", () => {
  it("tracks at most maxKeys IPs, forgetting the least recently seen", () => {
    const { clock, book, attempt } = scene({ ...DEFAULT_REPUTATION, maxKeys: 3 });
    for (let i = 1; i <= 5; i++) attempt(`192.0.2.${i}`, "a@example.org", "wrong_password", "x");
    expect(book.size).toBe(3);
    expect(book.explain("192.0.2.1", clock.now()).tracked).toBe(false);
    expect(book.explain("192.0.2.5", clock.now()).tracked).toBe(true);
  });

  it("prunes IPs with nothing seen for the memory window", () => {
    const { clock, book, attempt } = scene();
    attempt("192.0.2.1", "a@example.org", "wrong_password", "x");
    clock.advance(DEFAULT_REPUTATION.memoryMs / 2);
    attempt("192.0.2.2", "a@example.org", "wrong_password", "x");
    clock.advance(DEFAULT_REPUTATION.memoryMs / 2 + MINUTE);
    expect(book.prune(clock.now())).toBe(1);
    expect(book.size).toBe(1);
  });
});
