import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { openPostgres } from "../../src/db/database.js";
import { freePort } from "../helpers/postgres-cluster.js";
import { startTcpProxy } from "../helpers/tcp-proxy.js";

describe("LISTEN on PostgreSQL", () => {
  it("rejects when it cannot connect, without also reporting a lost subscription", async () => {
    const db = openPostgres(`postgres://postgres@127.0.0.1:${await freePort()}/none`);
    let lost = 0;
    await expect(
      db.listen(
        "mailauth_test",
        () => {},
        () => lost++,
      ),
    ).rejects.toThrow(/ECONNREFUSED/);
    await new Promise((r) => setTimeout(r, 100));
    // Callers retry on either: both would double the retries on every failed round.
    expect(lost).toBe(0);
    await db.close();
  });

  describe.skipIf(!inject("postgresUrl"))("on a real server", () => {
    const url = inject("postgresUrl") as string;

    it("gives up on a frozen database within the time budget instead of waiting forever", async () => {
      const target = new URL(url);
      const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
      const db = openPostgres(proxy.via(url), { statementTimeoutMs: 500 });
      try {
        proxy.stall();
        const started = performance.now();
        const outcome = await Promise.race([
          db
            .listen("mailauth_test", () => {})
            .then(
              () => "subscribed",
              (error: Error) => error.message,
            ),
          new Promise((r) => setTimeout(() => r("still waiting after 5 s"), 5000)),
        ]);
        expect(outcome).toMatch(/timeout/);
        expect(performance.now() - started).toBeLessThan(2000);
      } finally {
        await db.close();
        await proxy.close();
      }
    });

    it("notices a connection that went silent (a frozen database, a dropped flow) by its heartbeat", async () => {
      const target = new URL(url);
      const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
      const db = openPostgres(proxy.via(url), { statementTimeoutMs: 300, heartbeatMs: 200 });
      let lost = 0;
      try {
        const unlisten = await db.listen(
          "mailauth_test_silent",
          () => {},
          () => lost++,
        );
        await new Promise((r) => setTimeout(r, 600));
        expect(lost).toBe(0); // heartbeats answered: still up
        proxy.stall();
        for (let i = 0; i < 40 && lost === 0; i++) await new Promise((r) => setTimeout(r, 100));
        expect(lost).toBe(1);
        await unlisten();
      } finally {
        await db.close();
        await proxy.close();
      }
    });

    it("reports a subscription that was up once when its connection dies", async () => {
      const db = openPostgres(url);
      const payloads: string[] = [];
      let lost = 0;
      const unlisten = await db.listen(
        "mailauth_test_lost",
        (p) => payloads.push(p),
        () => lost++,
      );
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query("NOTIFY mailauth_test_lost, 'hello'");
        await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN \"mailauth_test_lost\"'",
        );
        await new Promise((r) => setTimeout(r, 300));
        expect(payloads).toEqual(["hello"]);
        expect(lost).toBe(1);
      } finally {
        await admin.end();
        await unlisten();
        await db.close();
      }
    });
  });
});
