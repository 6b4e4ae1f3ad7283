import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { banCategory } from "../../src/metrics/metrics.js";
import { capturedLogs, startTestService, TEST_CLIENT_SECRET, type TestService } from "../helpers/service.js";

const PASSWORD = "Orbit-Walnut-Cascade-64";
const ADMIN_TOKEN = "test-admin-token-0123456789";
const POLICY_TOKEN = "test-policy-token-0123456789";

async function token(
  service: TestService,
  password: string,
  ip: string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${service.url}/dovecot/token`, {
    method: "POST",
    headers: { "x-dovecot-auth-remote": `${ip}:0`, "x-dovecot-auth-service": "imap", ...headers },
    body: new URLSearchParams({
      grant_type: "password",
      username: "alice@example.org",
      password,
      client_id: "dovecot",
      client_secret: TEST_CLIENT_SECRET,
    }),
  });
  await response.arrayBuffer();
  return response;
}

async function scrape(service: TestService, auth: string | null = `Bearer ${ADMIN_TOKEN}`) {
  const response = await fetch(`${service.url}/metrics`, { headers: auth ? { authorization: auth } : {} });
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
}

/** The value of one series in Prometheus text, or null when it is absent. */
function value(text: string, series: string): number | null {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

/** A password grant for any login, from a Dovecot service (2.4 names it X-Dovecot-Auth-Protocol). */
async function grant(service: TestService, username: string, password: string, ip: string, protocol: string) {
  const response = await fetch(`${service.url}/dovecot/token`, {
    method: "POST",
    headers: { "x-dovecot-auth-remote": `${ip}:0`, "x-dovecot-auth-protocol": protocol },
    body: new URLSearchParams({
      grant_type: "password",
      username,
      password,
      client_id: "dovecot",
      client_secret: TEST_CLIENT_SECRET,
    }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** The mailauth_* names the example dashboard's and alert rules' expressions use that a scrape lacks. */
function exampleNamesMissing(scraped: string): string[] {
  const root = join(import.meta.dirname, "../..");
  const dashboard = JSON.parse(readFileSync(join(root, "examples/grafana/mailauth-dashboard.json"), "utf8"));
  const panels: { targets?: { expr: string }[] }[] = dashboard.panels;
  const variables: { type: string; query: string | { query: string } }[] = dashboard.templating.list;
  const alerts = readFileSync(join(root, "examples/prometheus/mailauth-alerts.yml"), "utf8");
  // expr: on one line, or a block of more-indented lines after "expr: |".
  const alertExprs = [...alerts.matchAll(/^( *)expr: (?:\|\n((?:\1 +.*\n)+)|(.+))/gm)].map(
    (m) => m[2] ?? m[3] ?? "",
  );
  const exprs = [
    ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...variables
      .filter((v) => v.type === "query")
      .map((v) => (typeof v.query === "object" ? v.query.query : v.query)),
    ...alertExprs,
  ];
  expect(alertExprs.length).toBe(alerts.match(/^ *- alert: /gm)?.length);
  expect(exprs.filter((e) => !/mailauth_/.test(e))).toEqual([]);
  // Declared names, with a histogram's series (a labelled one has none before its first sample).
  const exposed = new Set(
    [...scraped.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap(([, name, type]) =>
      type === "histogram" ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
    ),
  );
  const used = new Set(exprs.flatMap((e) => e.match(/mailauth_[a-z0-9_]+/g) ?? []));
  expect(used.size).toBeGreaterThan(10);
  return [...used].filter((name) => !exposed.has(name)).sort();
}

describe("GET /metrics", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      env: { MAILAUTH_ADMIN_TOKEN: ADMIN_TOKEN, MAILAUTH_POLICY_TOKEN: POLICY_TOKEN },
    });
    await service.addUser("alice@example.org", PASSWORD);
  });
  afterAll(() => service.close());

  it("refuses a scrape without the admin token, or with a wrong one", async () => {
    expect((await scrape(service, null)).status).toBe(401);
    expect((await scrape(service, "Bearer not-the-admin-token-at-all")).status).toBe(401);
    const ok = await scrape(service);
    expect(ok.status).toBe(200);
    expect(ok.type).toContain("text/plain");
    expect(ok.text).toContain("mailauth_nodejs_eventloop_lag_seconds");
    expect(ok.text).toContain("mailauth_hash_workers 2");
    expect(ok.text).toContain("mailauth_hash_queue_max 256");
  });

  it("takes the Bearer scheme in any case, as the admin API does (RFC 7235)", async () => {
    for (const scheme of ["bearer", "BEARER", "bEaReR"]) {
      expect((await scrape(service, `${scheme} ${ADMIN_TOKEN}`)).status, scheme).toBe(200);
      expect((await scrape(service, `${scheme} not-the-admin-token-at-all`)).status, scheme).toBe(401);
    }
    expect((await scrape(service, `Basic ${ADMIN_TOKEN}`)).status).toBe(401);
    expect((await scrape(service, ADMIN_TOKEN)).status).toBe(401);
  });

  it("counts a right and a wrong login under their outcomes, and a banned address's refusal", async () => {
    const ok = 'mailauth_logins_total{service="imap",outcome="ok"}';
    const wrong = 'mailauth_logins_total{service="imap",outcome="wrong_password"}';
    const banned = 'mailauth_logins_total{service="imap",outcome="banned"}';
    const before = (await scrape(service)).text;
    expect((await token(service, PASSWORD, "198.51.100.1")).status).toBe(200);
    expect((await token(service, "Wrong-Password-Entirely-99", "198.51.100.1")).status).toBe(400);
    await service.server.deps.blacklist.ban({
      network: "203.0.113.0/24",
      reason: "test",
      source: "manual",
      length: { permanent: true },
    });
    expect((await token(service, PASSWORD, "203.0.113.9")).status).toBe(400);
    expect((await token(service, PASSWORD, "203.0.113.9")).status).toBe(400);

    const after = (await scrape(service)).text;
    expect(value(after, ok)).toBe((value(before, ok) ?? 0) + 1);
    expect(value(after, wrong)).toBe((value(before, wrong) ?? 0) + 1);
    // Only the first refusal per minute is stored as an event; every one is counted.
    expect(value(after, banned)).toBe((value(before, banned) ?? 0) + 2);
    expect(value(after, 'mailauth_bans_added_total{source="manual",category="manual"}')).toBe(1);
    expect(value(after, 'mailauth_bans_active{family="ipv4",source="manual",permanent="true"}')).toBe(1);
    expect(
      value(after, 'mailauth_http_request_duration_seconds_count{route="/dovecot/token"}'),
    ).toBeGreaterThanOrEqual(4);
    expect(value(after, "mailauth_password_verification_seconds_count")).toBeGreaterThanOrEqual(2);
    expect(after).not.toContain("198.51.100.1");
  });

  it("counts policy decisions", async () => {
    const refuse = 'mailauth_policy_decisions_total{decision="refuse"}';
    const allow = 'mailauth_policy_decisions_total{decision="allow"}';
    const before = (await scrape(service)).text;
    for (const remote of ["203.0.113.7", "192.0.2.44"]) {
      await fetch(`${service.url}/dovecot/policy?command=allow`, {
        method: "POST",
        headers: { authorization: `Bearer ${POLICY_TOKEN}` },
        body: JSON.stringify({ login: "x@example.org", remote, protocol: "imap", pwhash: "ab" }),
      });
    }
    const after = (await scrape(service)).text;
    expect(value(after, refuse)).toBe((value(before, refuse) ?? 0) + 1);
    expect(value(after, allow)).toBe((value(before, allow) ?? 0) + 1);
  });

  it("counts unknown users, disabled accounts, weak passwords and temporary failures by service", async () => {
    await service.addUser("bob@example.org", PASSWORD);
    await service.setEnabled("bob@example.org", false);
    const series = (protocol: string, outcome: string) =>
      `mailauth_logins_total{service="${protocol}",outcome="${outcome}"}`;
    const counted = [
      series("pop3", "unknown_user"),
      series("pop3", "disabled"),
      series("submission", "weak_password"),
      series("pop3", "temporary_failure"),
    ];
    const before = (await scrape(service)).text;
    expect(await grant(service, "nobody@example.org", PASSWORD, "192.0.2.61", "pop3")).toBe(400);
    expect(await grant(service, "bob@example.org", PASSWORD, "192.0.2.62", "pop3")).toBe(400);
    expect(await grant(service, "alice@example.org", "azerty123", "192.0.2.63", "submission")).toBe(400);
    service.failDatabase(true);
    try {
      // A login never seen: the cache cannot answer it, the database must.
      expect(await grant(service, "carol@example.org", PASSWORD, "192.0.2.64", "pop3")).toBe(503);
    } finally {
      service.failDatabase(false);
    }
    const after = (await scrape(service)).text;
    for (const name of counted)
      expect([name, value(after, name)]).toEqual([name, (value(before, name) ?? 0) + 1]);
    // Nothing was counted under the other outcomes of that service.
    expect(value(after, series("pop3", "wrong_password"))).toBe(
      value(before, series("pop3", "wrong_password")),
    );
    expect(value(after, series("pop3", "ok"))).toBe(value(before, series("pop3", "ok")));
  });

  it("times hash verifications apart from their wait for a free worker", async () => {
    const runs = "mailauth_password_verification_seconds_count";
    const waits = "mailauth_hash_queue_wait_seconds_count";
    const waited = "mailauth_hash_queue_wait_seconds_sum";
    const before = (await scrape(service)).text;
    // Six unknown users at once on two workers: six dummy verifications, four of them queued.
    const statuses = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) =>
        grant(service, `ghost${i}@example.org`, PASSWORD, `192.0.2.7${i}`, "imap"),
      ),
    );
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400]);
    const after = (await scrape(service)).text;
    expect(value(after, runs)).toBeGreaterThanOrEqual((value(before, runs) ?? 0) + 6);
    expect(value(after, waits)).toBeGreaterThanOrEqual((value(before, waits) ?? 0) + 6);
    expect(value(after, waited)).toBeGreaterThan(value(before, waited) ?? 0);
  });

  it("shows the last firewall sync's time only once there was one", async () => {
    const series = "mailauth_firewall_last_sync_timestamp_seconds";
    expect(value((await scrape(service)).text, series)).toBeNull();
    const dir = service.server.deps.config.firewall.stateDir;
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "last-sync.json"),
      JSON.stringify({ time: "2026-03-01T08:00:00Z", v4: 1, v6: 0, added: 1, removed: 0 }),
    );
    expect(value((await scrape(service)).text, series)).toBe(Date.parse("2026-03-01T08:00:00Z") / 1000);
  });

  it("has every metric the example alerts and dashboard name but the pool's, which is PostgreSQL's", async () => {
    expect(exampleNamesMissing((await scrape(service)).text)).toEqual(["mailauth_db_pool_connections"]);
  });

  it("labels latency by the matched route, not the raw URL", async () => {
    await fetch(`${service.url}/no/such/path/12345`);
    const text = (await scrape(service)).text;
    expect(text).not.toContain("12345");
  });

  it("tags a request's error lines with its request id, taken from X-Request-Id when it is a token", async () => {
    service.failDatabase(true);
    try {
      const response = await token(service, "Another-Password-77", "198.51.100.2", {
        "x-request-id": "req-abc.123",
      });
      expect(response.status).toBe(503);
      const odd = await token(service, "Another-Password-78", "198.51.100.2", {
        "x-request-id": "bad id\twith spaces",
      });
      expect(odd.status).toBe(503);
      const ids = capturedLogs
        .filter((l) => l.includes("login could not be checked"))
        .map((l) => JSON.parse(l).request_id as string);
      expect(ids).toContain("req-abc.123");
      expect(ids.some((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
      expect(ids.join()).not.toContain("bad id");
    } finally {
      service.failDatabase(false);
    }
  });
});

describe("GET /metrics with MAILAUTH_METRICS_PUBLIC=1", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ env: { MAILAUTH_METRICS_PUBLIC: "1" } });
  });
  afterAll(() => service.close());

  it("answers without a token", async () => {
    const response = await scrape(service, null);
    expect(response.status).toBe(200);
    expect(response.text).toContain("mailauth_hash_queue_depth");
  });
});

describe.skipIf(!inject("postgresUrl"))("GET /metrics on PostgreSQL", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      kind: "postgres",
      env: { MAILAUTH_ADMIN_TOKEN: ADMIN_TOKEN, MAILAUTH_DB_POOL_MAX: "2" },
    });
  });
  afterAll(() => service.close());

  const pool = async () => {
    const text = (await scrape(service)).text;
    const state = (s: string) => value(text, `mailauth_db_pool_connections{state="${s}"}`);
    return { total: state("total"), idle: state("idle"), waiting: state("waiting") };
  };

  it("shows the pool's connections in use and the queries waiting for one", async () => {
    const { db } = service.server.deps;
    // Three slow queries on a pool of two: both connections busy, one query waiting.
    const slow = Promise.all([1, 2, 3].map(() => db.query("SELECT pg_sleep(0.6)")));
    await new Promise((r) => setTimeout(r, 200));
    const busy = await pool();
    await slow;
    expect(busy.total).toBe(2);
    expect(busy.idle).toBe(0);
    expect(busy.waiting).toBeGreaterThanOrEqual(1);
    // Once they are done the connections are back (housekeeping may hold one for a moment).
    let after = await pool();
    for (let i = 0; i < 20 && (after.idle !== after.total || after.waiting !== 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await pool();
    }
    expect(after.waiting).toBe(0);
    expect(after.total).toBeGreaterThanOrEqual(1);
    expect(after.idle).toBe(after.total);
  });

  it("has every metric the example alerts and dashboard name", async () => {
    expect(exampleNamesMissing((await scrape(service)).text)).toEqual([]);
  });
});

describe("ban reason categories", () => {
  it("keeps the words before the colon", () => {
    expect(banCategory("dictionary attack: 40 passwords on one login")).toBe("dictionary_attack");
    expect(banCategory("bad reputation: score 3.1 (x)")).toBe("bad_reputation");
    expect(banCategory("")).toBe("other");
  });
});
