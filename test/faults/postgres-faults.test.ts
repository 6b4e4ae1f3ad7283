import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresBinDir, startThrowawayCluster, type ThrowawayCluster } from "../helpers/postgres-cluster.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import {
  createDatabase,
  DOVECOT_TIMEOUT_MS,
  eventually,
  type MailauthProcess,
  POLICY_TIMEOUT_MS,
  type Reply,
  rememberSecret,
  sql,
  startMailauth,
} from "./mailauth-process.js";

// These tests stop, crash and stall PostgreSQL: they need a cluster of their own, never the
// suite's shared one, so the server binaries must be installed (a URL alone is not enough).
// mailauth runs from the build in processes of its own (`make test` builds dist/ first).
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
  const proxies: TcpProxy[] = [];
  const start = async (url: string, env: Record<string, string> = {}) => {
    const m = await startMailauth(url, env);
    started.push(m);
    return m;
  };
  /** A proxy to the database of `url`, and `url` through it. */
  const proxyTo = async (url: string) => {
    const u = new URL(url);
    const proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
    proxies.push(proxy);
    return { proxy, url: proxy.via(url) };
  };

  beforeAll(async () => {
    expect(DOVECOT_TIMEOUT_MS).toBeGreaterThanOrEqual(4000);
    // PostgreSQL is crashed below: what it acknowledged must survive that.
    cluster = await startThrowawayCluster(binDir as string, { crashSafe: true });
  });
  afterAll(async () => {
    await Promise.all(started.filter((m) => m.alive()).map((m) => m.stop()));
    await Promise.all(proxies.map((p) => p.close()));
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

    // Long enough for several rounds of reconnecting (the LISTEN connections retry every 1 to 5 s).
    await new Promise((r) => setTimeout(r, 8000));

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

    // Reconnected once: one LISTEN connection for the blacklist and one for the login cache.
    await new Promise((r) => setTimeout(r, 6000));
    const listeners = await sql<{ n: number }>(
      url,
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    );
    console.log(`LISTEN connections after the outage: ${listeners[0]?.n}`);
    expect(listeners[0]?.n).toBe(2);

    expect(m.alive()).toBe(true);
    const errors = logLines(m).filter((l) => l.level === 50);
    expect(errors.map((l) => l.msg)).toContain("login could not be checked");
    expect(errors.map((l) => l.msg)).toContain("cannot write auth events; buffering");
    expect(logLines(m).map((l) => l.msg)).toContain("auth events are being written again");
    expectNoPassword(m);
  }, 40_000);

  it("keeps every acknowledged ban when killed with SIGKILL under load", async () => {
    const url = await createDatabase(cluster.url, "sigkill");
    const { proxy, url: proxied } = await proxyTo(url);
    const a = await start(proxied);
    expect((await a.admin("POST", "/users", { email: "alice@example.org", password: PASSWORD })).status).toBe(
      201,
    );

    // Load: right and wrong passwords from many addresses, until after the kill.
    let loading = true;
    const load = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; loading; i++) {
        const ip = `198.51.100.${((w * 60 + i) % 240) + 1}`;
        await a.token("alice@example.org", i % 3 === 0 ? WRONG : PASSWORD, ip).catch(() => null);
      }
    });

    // A ban is acknowledged by a 201 (manual) or by the first refusal of its address (auto).
    const acknowledged = new Set<string>();
    const manualBan = async (ip: string) => {
      const reply = await a
        .admin("POST", "/bans", { network: ip, for: "1d", reason: "sigkill test" })
        .catch(() => null);
      if (reply?.status === 201) acknowledged.add(`${ip}/32`);
    };
    const refused = async (ip: string) => {
      const reply = await a.policy("allow", { login: "alice@example.org", remote: ip }).catch(() => null);
      if (reply?.body.status === -1) acknowledged.add(`${ip}/32`);
      return reply?.body.status === -1;
    };
    const untilRefused = (ip: string) =>
      eventually(`${ip} refused`, 5000, async () => ((await refused(ip)) ? true : undefined));
    // Bot behaviour the reputation model bans for (docs/reputation.md): a weak password from an
    // address that already failed 4 times (passdb), ten passwords on one login (passdb), or the
    // same seen only through Dovecot's policy reports.
    const weakAfterFailures = async (ip: string) => {
      for (const n of [1, 2, 3, 4]) await a.token(`nobody${n}@example.org`, WRONG, ip);
      await a.token("alice@example.org", "123456", ip);
    };
    const dictionary = async (ip: string) => {
      for (let n = 0; n < 10; n++) await a.token("alice@example.org", `${WRONG}-${n}`, ip);
    };
    const reportedDictionary = async (ip: string) => {
      for (let n = 0; n < 10; n++) {
        await a.policy("report", { login: "alice@example.org", remote: ip, pwhash: `a${n}`, success: false });
      }
    };

    for (let i = 1; i <= 10; i++) await manualBan(`203.0.113.${i}`);
    await Promise.all([
      weakAfterFailures("198.18.0.1").then(() => untilRefused("198.18.0.1")),
      dictionary("198.18.0.2").then(() => untilRefused("198.18.0.2")),
      reportedDictionary("198.18.0.3").then(() => untilRefused("198.18.0.3")),
    ]);
    expect(acknowledged.size).toBe(13);

    // A burst of bans in flight, then the database freezes mid-way: whatever was committed but
    // not yet acknowledged, or acknowledged, must be kept.
    const burst = [
      ...Array.from({ length: 10 }, (_, i) => manualBan(`203.0.113.${100 + i}`)),
      ...[4, 5, 6].map((n) => reportedDictionary(`198.18.0.${n}`).then(() => refused(`198.18.0.${n}`))),
    ];
    // Freeze once part of the burst is acknowledged, the rest still in flight.
    await eventually("part of the burst acknowledged", 5000, async () =>
      acknowledged.size >= 16 ? true : undefined,
    );
    proxy.stall();
    const atFreeze = acknowledged.size;
    // A ban decided while the database does not answer cannot be stored before the kill: the
    // policy server must not refuse as banned yet, and must answer inside Dovecot's 2 s.
    await reportedDictionary("198.18.0.99");
    const stalled = await a.policy("allow", { login: "alice@example.org", remote: "198.18.0.99" });
    if (stalled.body.status === -1) acknowledged.add("198.18.0.99/32");
    expect(stalled.body.status).toBeGreaterThan(0);
    expect(stalled.ms).toBeLessThan(POLICY_TIMEOUT_MS);
    console.log(
      `policy answer to a ban verdict with the database stalled: ${JSON.stringify(stalled.body)} in ${Math.round(stalled.ms)} ms`,
    );

    await a.kill9();
    loading = false;
    await Promise.all([...load, ...burst]);
    proxy.resume();
    console.log(
      `acknowledged bans before SIGKILL: ${acknowledged.size} (${atFreeze} when the database froze)`,
    );

    const b = await start(url);
    const live = await sql<{ network: string }>(
      url,
      "SELECT network::text AS network FROM bans WHERE lifted_at IS NULL",
    );
    const stored = new Set(live.map((r) => r.network));
    expect([...acknowledged].filter((n) => !stored.has(n))).toEqual([]);
    for (const network of acknowledged) {
      const ip = network.replace("/32", "");
      expect((await b.policy("allow", { login: "alice@example.org", remote: ip })).body, ip).toMatchObject({
        status: -1,
      });
    }
    // Enforced by the passdb too: the right password from a banned address is refused.
    expect((await b.token("alice@example.org", PASSWORD, "203.0.113.1")).body).toEqual({
      error: "invalid_grant",
    });
    expect((await b.token("alice@example.org", PASSWORD, "198.51.100.250")).status).toBe(200);
    expectNoPassword(a);
    expectNoPassword(b);
  }, 40_000);

  it("fails logins as temporary well within Dovecot's timeout when the database stalls or crawls", async () => {
    const url = await createDatabase(cluster.url, "stall");
    const { proxy, url: proxied } = await proxyTo(url);
    const m = await start(proxied);
    expect((await m.admin("POST", "/users", { email: "alice@example.org", password: PASSWORD })).status).toBe(
      201,
    );
    expect((await m.token("alice@example.org", PASSWORD, "198.51.100.1")).status).toBe(200);
    // Accounts never looked up before, so no cache answers: each login needs the database.
    let account = 0;
    const login = (ip: string) => m.token(`user${account++}@example.org`, PASSWORD, ip);

    // Frozen: open connections and new ones get no byte back. More logins arrive at once than
    // the pool has connections, then more every 200 ms while the first wait.
    proxy.stall();
    const frozen = Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i < 15 ? 0 : (i - 14) * 200));
        return login(`198.51.100.${10 + i}`);
      }),
    );
    const policy = await m.policy("allow", { login: "alice@example.org", remote: "198.51.100.9" });
    expect(policy.body).toMatchObject({ status: 0 });
    expect(policy.ms).toBeLessThan(POLICY_TIMEOUT_MS / 2);
    const ready = await m.get("/readyz");
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(TEMPORARY_WITHIN_MS);
    const stalledReplies = await frozen;
    for (const reply of stalledReplies) expectTemporary(reply);
    console.log(
      `503 with the database frozen: ${Math.round(Math.min(...stalledReplies.map((r) => r.ms)))} to ${Math.round(Math.max(...stalledReplies.map((r) => r.ms)))} ms`,
    );

    // Crawling: the database answers, each packet 1.2 s late (a connection's start-up takes
    // two round trips, a query one), with more logins than the pool has connections.
    proxy.delay(1200);
    proxy.resume();
    const slowReplies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(`198.51.100.${60 + i}`)),
    );
    console.log(
      `database crawling: ${slowReplies.filter((r) => r.status === 503).length} of 20 answered 503, all within ${Math.round(Math.max(...slowReplies.map((r) => r.ms)))} ms`,
    );
    for (const reply of slowReplies) {
      // The unknown account's real answer in time, or a temporary failure in time.
      expect(reply.status === 503 ? reply.body : reply.status).toEqual(
        reply.status === 503 ? { error: "temporarily_unavailable" } : 400,
      );
      expect(reply.ms).toBeLessThan(TEMPORARY_WITHIN_MS);
    }

    // Normal again without a restart: an account never looked up (the database's answer), then
    // a real login.
    proxy.delay(0);
    const back = await eventually("a lookup once the database answers again", 10_000, async () => {
      const reply = await login("198.51.100.3");
      return reply.status === 503 ? undefined : reply;
    });
    expect(back.body).toEqual({ error: "invalid_grant" });
    expect((await m.token("alice@example.org", PASSWORD, "198.51.100.2")).body).toMatchObject({
      active: "true",
    });

    expect(m.alive()).toBe(true);
    const failures = logLines(m).filter((l) => l.msg === "login could not be checked");
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toMatchObject({ level: 50, account: expect.stringMatching(/^user\d+@example.org$/) });
    expect(String(failures[0]?.err)).not.toBe("");
    console.log(`errors logged: ${[...new Set(failures.map((l) => l.err))].join(" | ")}`);
    expectNoPassword(m);
  }, 40_000);
});
