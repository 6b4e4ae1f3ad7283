import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresBinDir, startThrowawayCluster, type ThrowawayCluster } from "../helpers/postgres-cluster.js";
import {
  createDatabase,
  DOVECOT_TIMEOUT_MS,
  eventually,
  type MailauthProcess,
  type Reply,
  rememberSecret,
  sql,
  startMailauth,
} from "./mailauth-process.js";

// These tests stop, crash and stall PostgreSQL: they need a cluster of their own, never the
// suite's shared one, so the server binaries must be installed (a URL alone is not enough).
const binDir = postgresBinDir();
if (!binDir && process.env.CI) throw new Error("CI needs the PostgreSQL server binaries for the fault tests");

const PASSWORD = "Velvet-Harbour-Quartz-27";
const WRONG = "Amber-Lantern-Meadow-93";
rememberSecret(PASSWORD);
rememberSecret(WRONG);

/** The answer must come well inside Dovecot's wait, not just before it. */
const TEMPORARY_WITHIN_MS = DOVECOT_TIMEOUT_MS - 1000;

const expectTemporary = (reply: Reply) => {
  expect(reply.status).toBe(503);
  expect(reply.body).toEqual({ error: "temporarily_unavailable" });
  expect(reply.ms).toBeLessThan(TEMPORARY_WITHIN_MS);
};

/** Log lines as objects (mailauth logs JSON lines). */
const logLines = (m: MailauthProcess) =>
  m
    .logs()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const expectNoPassword = (m: MailauthProcess) => {
  for (const secret of [PASSWORD, WRONG]) expect(m.logs()).not.toContain(secret);
};

describe.skipIf(!binDir)("mailauth when PostgreSQL fails", () => {
  let cluster: ThrowawayCluster;
  const started: MailauthProcess[] = [];
  const start = async (url: string, env: Record<string, string> = {}) => {
    const m = await startMailauth(url, env);
    started.push(m);
    return m;
  };
  beforeAll(async () => {
    expect(DOVECOT_TIMEOUT_MS).toBeGreaterThanOrEqual(4000);
    // PostgreSQL is crashed below: what it acknowledged must survive that.
    cluster = await startThrowawayCluster(binDir as string, { crashSafe: true });
  });
  afterAll(async () => {
    await Promise.all(started.filter((m) => m.alive()).map((m) => m.stop()));
    await cluster?.stop();
  });

  it("answers 503 while PostgreSQL is down, refuses banned IPs from memory, and catches up when it returns", async () => {
    const url = await createDatabase(cluster.url, "outage");
    const m = await start(url, { MAILAUTH_EVENT_BUFFER_MAX: "20" });
    for (const email of ["alice@example.org", "bob@example.org"]) {
      expect((await m.admin("POST", "/users", { email, password: PASSWORD })).status).toBe(201);
    }
    expect((await m.token("alice@example.org", PASSWORD, "198.51.100.1")).status).toBe(200);
    expect(
      (await m.admin("POST", "/bans", { network: "203.0.113.66", for: "1d", reason: "before" })).status,
    ).toBe(201);
    // Everything recorded so far is in the table before the outage.
    await eventually("events written", 5000, async () =>
      (await m.metric("mailauth_auth_events_buffered")) === 0 ? true : undefined,
    );
    const [before] = await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM auth_events");
    const writtenBefore = await m.metric("mailauth_auth_events_written_total");
    expect(before?.n).toBe(writtenBefore);

    cluster.halt("immediate");
    const ready = await m.get("/readyz");
    expect(ready.status).toBe(503);
    expect(String(ready.body.reason)).toMatch(/^database unreachable/);

    // The banned IP is refused from memory, by the policy server and by the passdb.
    const policy = await m.policy("allow", { login: "alice@example.org", remote: "203.0.113.66" });
    expect(policy.body).toMatchObject({ status: -1 });
    expect((await m.token("alice@example.org", PASSWORD, "203.0.113.66")).body).toEqual({
      error: "invalid_grant",
    });
    // An IP not banned is allowed by the policy server: it needs no database.
    expect(
      (await m.policy("allow", { login: "bob@example.org", remote: "198.51.100.2" })).body,
    ).toMatchObject({
      status: 0,
    });

    // Logins need the database (bob was never looked up, so no cache can answer): temporary
    // failures, never a wrong password. 1 + 30 events for a buffer of 20.
    const outage: Reply[] = [];
    for (let i = 0; i < 30; i++)
      outage.push(await m.token("bob@example.org", PASSWORD, `198.51.100.${100 + i}`));
    for (const reply of outage) expectTemporary(reply);
    console.log(`503 with PostgreSQL down: slowest ${Math.round(Math.max(...outage.map((r) => r.ms)))} ms`);
    expect(await m.metric("mailauth_auth_events_buffered")).toBe(20);
    expect(await m.metric("mailauth_auth_events_dropped_total")).toBe(11);

    // Back: the buffered events go first (a login now would push one more out of the buffer).
    const back = performance.now();
    cluster.resume();
    await eventually("buffered events written", 5000, async () =>
      (await m.metric("mailauth_auth_events_written_total")) === writtenBefore + 20 &&
      (await m.metric("mailauth_auth_events_buffered")) === 0
        ? true
        : undefined,
    );
    console.log(
      `buffered events written ${Math.round(performance.now() - back)} ms after PostgreSQL restarted`,
    );
    const rows = await sql<{ ip: string; outcome: string }>(
      url,
      "SELECT host(ip) AS ip, outcome FROM auth_events ORDER BY id",
    );
    // The 20 newest are written; the 11 oldest (the banned attempt and 10 logins) were dropped.
    expect(rows.slice(before?.n ?? 0)).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ ip: `198.51.100.${110 + i}`, outcome: "temporary_failure" })),
    );
    expect(await m.metric("mailauth_auth_events_dropped_total")).toBe(11);

    // Logins work again without a restart of mailauth.
    const login = await m.token("bob@example.org", PASSWORD, "198.51.100.200");
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ active: "true", username: "bob@example.org" });
    expect((await m.get("/readyz")).status).toBe(200);

    expect(m.alive()).toBe(true);
    const errors = logLines(m).filter((l) => l.level === 50);
    expect(errors.map((l) => l.msg)).toContain("login could not be checked");
    expect(errors.map((l) => l.msg)).toContain("cannot write auth events; buffering");
    expect(logLines(m).map((l) => l.msg)).toContain("auth events are being written again");
    expectNoPassword(m);
  }, 40_000);
});
