import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { type Blacklist, createBlacklist } from "../../src/blacklist/blacklist.js";
import { manualClock } from "../../src/clock.js";
import { createLogger } from "../../src/log.js";
import { DEFAULT_ESCALATION } from "../../src/reputation/escalation.js";
import { describeEachDatabase, freshDatabase, type TestDatabase } from "../helpers/databases.js";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const log = createLogger({ logLevel: "silent", logFormat: "json" });

describeEachDatabase("the blacklist", (kind) => {
  let database: TestDatabase;
  let clock: ReturnType<typeof manualClock>;
  let blacklist: Blacklist;
  const open = () =>
    createBlacklist({
      db: database.db,
      log,
      clock,
      escalation: DEFAULT_ESCALATION,
      builtinAllow: [{ network: "127.0.0.0/8", reason: "loopback" }],
      random: () => 0, // no jitter: exact lengths
    });

  beforeEach(async () => {
    database = await freshDatabase(kind);
    clock = manualClock(new Date("2026-03-01T12:00:00Z"));
    blacklist = await open();
  });
  afterEach(async () => {
    await blacklist.close();
    await database.drop();
  });

  it("bans an address until its ban expires", async () => {
    const result = await blacklist.ban({
      network: "203.0.113.9",
      reason: "test",
      source: "manual",
      length: { permanent: false, ms: HOUR },
    });
    expect(result).toMatchObject({ ok: true, ban: { network: "203.0.113.9/32", level: 1 } });
    expect(blacklist.check("203.0.113.9").ban?.reason).toBe("test");
    expect(blacklist.check("203.0.113.10").ban).toBeNull();
    clock.advance(HOUR + 1);
    expect(blacklist.check("203.0.113.9").ban).toBeNull();
  });

  it("logs a ban as a warning whose own level does not clash with the log level", async () => {
    const lines: string[] = [];
    const captured = createLogger(
      { logLevel: "info", logFormat: "json" },
      { write: (l: string) => lines.push(l) },
    );
    const logged = await createBlacklist({
      db: database.db,
      log: captured,
      clock,
      escalation: DEFAULT_ESCALATION,
      builtinAllow: [],
    });
    try {
      await logged.ban({ network: "203.0.113.77", reason: "test", source: "manual" });
    } finally {
      await logged.close();
    }
    const line = lines.find((l) => l.includes('"banned"')) ?? "";
    expect(line.match(/"level":/g)).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({
      level: 40,
      ban_level: 1,
      network: "203.0.113.77/32",
      msg: "banned",
    });
  });

  it("escalates each new ban of the same address along the ladder: 1 h, 1 d, 7 d, 30 d, then permanent with a review date", async () => {
    const lengths: (number | null)[] = [];
    for (let offence = 0; offence < 5; offence++) {
      const result = await blacklist.ban({ network: "198.51.100.7", reason: "bot", source: "auto" });
      if (!result.ok) throw new Error(result.reason);
      const { ban } = result;
      lengths.push(ban.expires_at ? ban.expires_at.getTime() - ban.created_at.getTime() : null);
      if (ban.expires_at === null) {
        expect(ban.review_at?.getTime()).toBe(ban.created_at.getTime() + 90 * DAY);
      } else clock.set(new Date(ban.expires_at.getTime() + 1000));
    }
    expect(lengths).toEqual([HOUR, DAY, 7 * DAY, 30 * DAY, null]);
  });

  it("counts the offences of overlapping networks: a /24 banned before makes one address's ban longer", async () => {
    await blacklist.ban({
      network: "192.0.2.0/24",
      reason: "range",
      source: "manual",
      length: { permanent: false, ms: HOUR },
    });
    clock.advance(2 * HOUR);
    const result = await blacklist.ban({ network: "192.0.2.77", reason: "bot", source: "auto" });
    expect(result.ok && result.ban.level).toBe(2);
  });

  it("bans an IPv6 network: every address in the /64 is refused", async () => {
    await blacklist.ban({ network: "2001:db8:1:2::/64", reason: "bot", source: "auto" });
    expect(blacklist.check("2001:db8:1:2:ffff::1").ban?.network).toBe("2001:db8:1:2::/64");
    expect(blacklist.check("2001:db8:1:3::1").ban).toBeNull();
  });

  it("lets the allowlist win: adding an entry lifts the bans inside it at once, and its addresses cannot be banned", async () => {
    await blacklist.ban({ network: "203.0.113.50", reason: "bot", source: "auto" });
    const added = await blacklist.allow("203.0.113.0/24", "office", null);
    expect("lifted" in added && added.lifted.map((b) => b.network)).toEqual(["203.0.113.50/32"]);
    expect(blacklist.check("203.0.113.50")).toMatchObject({ ban: null, allow: { reason: "office" } });
    expect(await blacklist.ban({ network: "203.0.113.51", reason: "bot", source: "auto" })).toMatchObject({
      ok: false,
      reason: "allowlisted",
    });
    expect(await blacklist.ban({ network: "127.0.0.1", reason: "oops", source: "manual" })).toMatchObject({
      ok: false,
      reason: "allowlisted",
    });
  });

  it("refuses to remove a built-in allowlist entry", async () => {
    expect(await blacklist.unallow("127.0.0.0/8")).toBe("builtin");
    expect(blacklist.check("127.0.0.1").allow?.builtin).toBe(true);
  });

  it("keeps bans, allowlist and offence history across a restart", async () => {
    await blacklist.ban({ network: "198.51.100.20", reason: "bot", source: "auto" });
    await blacklist.allow("198.51.100.200", "partner", null);
    await blacklist.close();
    blacklist = await open();
    expect(blacklist.check("198.51.100.20").ban?.reason).toBe("bot");
    expect(blacklist.check("198.51.100.200").allow?.reason).toBe("partner");
    clock.advance(2 * HOUR);
    const again = await blacklist.ban({ network: "198.51.100.20", reason: "bot", source: "auto" });
    expect(again.ok && again.ban.level).toBe(2);
  });

  it("counts refused attempts and the last one seen", async () => {
    const result = await blacklist.ban({ network: "198.51.100.30", reason: "bot", source: "auto" });
    if (!result.ok) throw new Error(result.reason);
    for (let i = 0; i < 3; i++) blacklist.hit(result.ban);
    await blacklist.close(); // flushes
    const [row] = await database.db.query<{ hits: number }>("SELECT hits FROM bans WHERE id = $1", [
      result.ban.id,
    ]);
    expect(Number(row?.hits)).toBe(3);
    blacklist = await open();
  });
});

describe.skipIf(!inject("postgresUrl"))("two instances on one PostgreSQL", () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await freshDatabase("postgres");
  });
  afterEach(() => database.drop());

  it("see a ban made by the other within a second", async () => {
    const clock = manualClock(new Date());
    const make = () =>
      createBlacklist({ db: database.db, log, clock, escalation: DEFAULT_ESCALATION, builtinAllow: [] });
    const [first, second] = await Promise.all([make(), make()]);
    try {
      await first.ban({ network: "203.0.113.99", reason: "bot", source: "auto" });
      const started = Date.now();
      while (!second.check("203.0.113.99").ban && Date.now() - started < 1000)
        await new Promise((r) => setTimeout(r, 10));
      expect(second.check("203.0.113.99").ban?.reason).toBe("bot");
      await second.lift("203.0.113.99", "test");
      const lifted = Date.now();
      while (first.check("203.0.113.99").ban && Date.now() - lifted < 1000)
        await new Promise((r) => setTimeout(r, 10));
      expect(first.check("203.0.113.99").ban).toBeNull();
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
