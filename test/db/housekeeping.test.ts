import { afterEach, expect, it } from "vitest";
import { manualClock } from "../../src/clock.js";
import { runHousekeeping } from "../../src/housekeeping.js";
import { createLogger } from "../../src/log.js";
import { DEFAULT_ESCALATION } from "../../src/reputation/escalation.js";
import { ReputationBook } from "../../src/reputation/model.js";
import { describeEachDatabase, freshDatabase, type TestDatabase } from "../helpers/databases.js";

const DAY = 86_400_000;

describeEachDatabase("housekeeping", (kind) => {
  let database: TestDatabase;
  afterEach(() => database.drop());

  it("deletes auth events past the retention and ban rows past the history, keeping the rest", async () => {
    database = await freshDatabase(kind);
    const { db } = database;
    const clock = manualClock(new Date("2026-06-01T00:00:00Z"));
    const now = clock.now().getTime();
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
    // 25,000 old events (three delete batches), and a few inside the retention.
    await db.query(
      `INSERT INTO auth_events (at, ip, login, service, outcome)
         SELECT $1::timestamptz - make_interval(secs => g), '192.0.2.1', 'a@example.org', 'imap', 'ok'
           FROM generate_series(1, 25000) AS g`,
      [at(40)],
    );
    for (const days of [29, 1, 0])
      await db.query(
        "INSERT INTO auth_events (at, ip, login, service, outcome) VALUES ($1, '192.0.2.2', 'b@example.org', 'imap', 'ok')",
        [at(days)],
      );
    const ban = (network: string, createdDaysAgo: number, expiresDaysAgo: number | null) =>
      db.query(
        `INSERT INTO bans (network, reason, source, level, created_at, expires_at, first_seen, last_seen)
           VALUES ($1, 'test', 'manual', 1, $2, $3, $2, $2)`,
        [network, at(createdDaysAgo), expiresDaysAgo === null ? null : at(expiresDaysAgo)],
      );
    await ban("198.51.100.1/32", 400, 399); // expired long ago: past the history
    await ban("198.51.100.2/32", 400, null); // permanent: kept whatever its age
    await ban("198.51.100.3/32", 5, 4); // expired recently: offence history, kept

    const run = await runHousekeeping({
      db,
      log: createLogger({ logLevel: "silent", logFormat: "json" }),
      clock,
      reputation: new ReputationBook(),
      escalation: DEFAULT_ESCALATION,
      eventRetentionDays: 30,
    });

    expect(run).toMatchObject({ events: 25_000, bans: 1 });
    const left = await db.query<{ login: string }>("SELECT login FROM auth_events");
    expect(left.map((r) => r.login)).toEqual(["b@example.org", "b@example.org", "b@example.org"]);
    const bans = await db.query<{ network: string }>(
      "SELECT network::text AS network FROM bans ORDER BY network",
    );
    expect(bans.map((b) => b.network)).toEqual(["198.51.100.2/32", "198.51.100.3/32"]);
  });
});
