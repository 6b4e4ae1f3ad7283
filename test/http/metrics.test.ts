import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

  it("has every metric the example alerts and dashboard name (the pool's only on PostgreSQL)", async () => {
    const text = (await scrape(service)).text;
    const examples = ["examples/prometheus/mailauth-alerts.yml", "examples/grafana/mailauth-dashboard.json"]
      .map((file) => readFileSync(join(import.meta.dirname, "../..", file), "utf8"))
      .join("\n");
    const names = new Set(examples.match(/mailauth_[a-z0-9_]+/g));
    names.delete("mailauth_db_pool_connections");
    expect(names.size).toBeGreaterThan(10);
    for (const name of names) expect(text).toContain(`# TYPE ${name.replace(/_bucket$/, "")} `);
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

describe("ban reason categories", () => {
  it("keeps the words before the colon", () => {
    expect(banCategory("dictionary attack: 40 passwords on one login")).toBe("dictionary_attack");
    expect(banCategory("bad reputation: score 3.1 (x)")).toBe("bad_reputation");
    expect(banCategory("")).toBe("other");
  });
});
