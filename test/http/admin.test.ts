import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminApp } from "../../src/http/admin/index.js";
import { openApiDocument } from "../../src/http/admin/openapi.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { startTestService, TEST_CLIENT_SECRET, type TestService } from "../helpers/service.js";

const ADMIN_TOKEN = "admin-token-0123456789abcdef";
const STRONG = "Tr0ub4dor&3-horse-staple";

function api(service: TestService, token: string | null = ADMIN_TOKEN) {
  return async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${service.url}/admin/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
}

async function login(service: TestService, username: string, password: string, ip = "198.51.100.20") {
  const response = await fetch(`${service.url}/dovecot/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-dovecot-auth-remote": `${ip}:0` },
    body: new URLSearchParams({
      grant_type: "password",
      client_id: "dovecot",
      client_secret: TEST_CLIENT_SECRET,
      username,
      password,
    }).toString(),
  });
  return response.status;
}

describe("admin API authentication", () => {
  let service: TestService;
  let off: TestService;
  beforeAll(async () => {
    [service, off] = await Promise.all([
      startTestService({ env: { MAILAUTH_ADMIN_TOKEN: ADMIN_TOKEN } }),
      startTestService(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([service?.close(), off?.close()]);
  });

  it("answers 401 without a token, with a wrong one, and to everyone while none is configured", async () => {
    for (const [target, token] of [
      [service, null],
      [service, "wrong-token-0123456789abcdef"],
      [service, `${ADMIN_TOKEN}x`],
      [off, ADMIN_TOKEN],
      [off, ""],
    ] as const) {
      for (const [method, path] of [
        ["GET", "/users"],
        ["POST", "/bans"],
        ["GET", "/openapi.json"],
        ["GET", "/nothing-here"],
      ]) {
        const reply = await api(target, token)(
          method as string,
          path as string,
          method === "POST" ? {} : undefined,
        );
        expect(reply.status, `${method} ${path}`).toBe(401);
        expect(reply.body.error).toBe("unauthorized");
      }
    }
    expect((await api(off)("GET", "/users")).body.error_description).toContain("MAILAUTH_ADMIN_TOKEN");
  });

  it("refuses a token shorter than 16 characters at start", async () => {
    await expect(startTestService({ env: { MAILAUTH_ADMIN_TOKEN: "short" } })).rejects.toThrow(
      /MAILAUTH_ADMIN_TOKEN must be at least 16 characters/,
    );
  });

  it("answers the right token, whatever the case of its Bearer scheme (RFC 7235)", async () => {
    expect((await api(service)("GET", "/users")).status).toBe(200);
    for (const scheme of ["bearer", "BEARER"]) {
      const response = await fetch(`${service.url}/admin/v1/users`, {
        headers: { authorization: `${scheme} ${ADMIN_TOKEN}` },
      });
      expect(response.status, scheme).toBe(200);
      await response.arrayBuffer();
    }
  });
});

describe("admin API OpenAPI document", () => {
  it("lists exactly the routes the admin API registers", () => {
    const app: Hono = createAdminApp({ config: { adminToken: null } } as never);
    const registered = new Set(
      app.routes
        .filter((r) => r.method !== "ALL")
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    const documented = new Set(
      Object.entries(openApiDocument().paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      ),
    );
    expect([...registered].sort()).toEqual([...documented].sort());
    expect(registered.size).toBeGreaterThan(15);
  });
});

describeEachDatabase("admin API", (kind) => {
  let service: TestService;
  let call: ReturnType<typeof api>;
  beforeAll(async () => {
    service = await startTestService({ kind, env: { MAILAUTH_ADMIN_TOKEN: ADMIN_TOKEN } });
    call = api(service);
  });
  afterAll(async () => {
    await service?.close();
  });

  it("serves its OpenAPI document", async () => {
    const reply = await call("GET", "/openapi.json");
    expect(reply.status).toBe(200);
    expect(reply.body.openapi).toBe("3.1.0");
    expect(Object.keys(reply.body.paths)).toContain("/users/{email}/password");
  });

  it("refuses bad input with 4xx and a reason", async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ["POST", "/users", "{not json", 400, /not JSON/],
      ["POST", "/users", [1, 2], 400, /JSON object/],
      ["POST", "/users", { email: "nobody", password: STRONG }, 400, /nobody/],
      ["POST", "/users", { email: "a@example.org" }, 400, /password or hash/],
      [
        "POST",
        "/users",
        { email: "a@example.org", password: STRONG, hash: "{PLAIN}x" },
        400,
        /password or hash/,
      ],
      ["POST", "/users", { email: "a@example.org", password: "azerty123" }, 400, /too weak/],
      ["POST", "/users", { email: "a@example.org", hash: "{NOPE}abc" }, 400, /hash cannot be used/],
      ["POST", "/users", { email: "a@example.org", password: STRONG, uid: -1 }, 400, /uid/],
      ["POST", "/users", { email: "a@example.org", password: STRONG, colour: "red" }, 400, /"colour"/],
      ["GET", "/users?weak=maybe", undefined, 400, /weak/],
      ["GET", "/users/nobody%40example.org", undefined, 404, /no account/],
      ["POST", "/users/nobody%40example.org/password", { password: STRONG }, 404, /no account/],
      ["DELETE", "/domains/nowhere.example", undefined, 404, /no domain/],
      ["POST", "/bans", { network: "not-an-ip", permanent: true, reason: "x" }, 400, /network/],
      ["POST", "/bans", { network: "203.0.113.9", reason: "x" }, 400, /for.*permanent/],
      ["POST", "/bans", { network: "203.0.113.9", for: "soon", reason: "x" }, 400, /for:/],
      ["POST", "/bans", { network: "203.0.113.9", for: "999999w", reason: "x" }, 400, /100 years/],
      ["POST", "/allowlist", { network: "203.0.113.9", for: "999999w", reason: "x" }, 400, /100 years/],
      ["POST", "/bans", { network: "203.0.113.9", for: "1d" }, 400, /reason is required/],
      ["POST", "/bans", { network: "127.0.0.1", for: "1d", reason: "x" }, 409, /allowlisted/],
      ["DELETE", "/bans/192.0.2.0%2F24", undefined, 404, /no live ban/],
      ["DELETE", "/allowlist/127.0.0.0%2F8", undefined, 409, /built in/],
      ["GET", "/ip/not-an-ip", undefined, 400, /not an address/],
      ["GET", "/events?limit=1001", undefined, 400, /limit/],
      ["GET", "/events?since=yesterday", undefined, 400, /since/],
      ["GET", "/events?ip=nope", undefined, 400, /ip/],
      ["GET", "/audit?cursor=-3", undefined, 400, /cursor/],
    ];
    for (const [method, path, body, status, reason] of cases) {
      const reply = await call(method, path, body);
      expect(reply.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect(reply.body.error).toBeTypeOf("string");
      expect(reply.body.error_description, `${method} ${path}`).toMatch(reason);
    }
  });

  it("refuses a NUL byte in any text it would store or search for with 400, not a database error", async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ["POST", "/users", { email: "nul@example.org", password: STRONG, home: "/a\u0000b" }, /home.*NUL/],
      ["POST", "/users", { email: "nul@example.org", hash: "{PLAIN}a\u0000b" }, /hash.*NUL/],
      ["POST", "/bans", { network: "203.0.113.9", for: "1d", reason: "a\u0000b" }, /reason.*NUL/],
      ["POST", "/allowlist", { network: "203.0.113.9", reason: "a\u0000b" }, /reason.*NUL/],
      ["DELETE", "/bans/203.0.113.9?reason=a%00b", undefined, /reason.*NUL/],
      ["GET", "/events?login=a%00b", undefined, /login.*NUL/],
      ["GET", "/events?outcome=%00", undefined, /outcome.*NUL/],
      ["GET", "/audit?action=%00", undefined, /action.*NUL/],
      ["GET", "/audit?target=x%00", undefined, /target.*NUL/],
    ];
    for (const [method, path, body, reason] of cases) {
      const reply = await call(method, path, body === undefined ? undefined : JSON.stringify(body));
      expect(reply.status, `${method} ${path}`).toBe(400);
      expect(reply.body.error_description, `${method} ${path}`).toMatch(reason);
    }
  });

  it("refuses a time its database cannot hold with 400, not a database error", async () => {
    for (const since of ["-271821-04-20T00:00:00Z", "+275760-09-13T00:00:00Z", "+010000-01-01T00:00:00Z"]) {
      const reply = await call("GET", `/events?since=${encodeURIComponent(since)}`);
      expect(reply.status, since).toBe(400);
      expect(reply.body.error_description).toMatch(/since.*year 1 to 9999/);
    }
    expect((await call("GET", "/events?since=0001-01-01T00:00:00Z")).status).toBe(200);
    expect((await call("GET", "/events?until=9999-12-31T23:59:59Z")).status).toBe(200);
  });

  it("creates an account that then logs in through /dovecot/token, and never shows its hash", async () => {
    const domain = await call("PUT", "/domains/example.org", {
      home: "/var/vmail/%d/%n",
      uid: 5000,
      gid: 5000,
    });
    expect(domain.status).toBe(201);
    expect(domain.body).toMatchObject({ name: "example.org", uid: 5000, users: 0 });
    expect((await call("PUT", "/domains/example.org", { uid: 5001, gid: 5001 })).status).toBe(200);
    const created = await call("POST", "/users", {
      email: "Alice@Example.org",
      password: STRONG,
      quota_rule: "*:storage=1G",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: "alice@example.org", enabled: true, scheme: "BLF-CRYPT" });
    expect(JSON.stringify(created.body)).not.toMatch(/\$2[aby]\$|password_hash|Tr0ub4dor/);
    expect(await login(service, "alice@example.org", STRONG)).toBe(200);
    expect((await call("POST", "/users", { email: "alice@example.org", password: STRONG })).status).toBe(409);

    const listed = await call("GET", "/users?domain=example.org");
    expect(listed.body.users.map((u: { email: string }) => u.email)).toEqual(["alice@example.org"]);
    expect((await call("GET", "/users/alice%40example.org")).body.quota_rule).toBe("*:storage=1G");

    expect((await call("POST", "/users/alice@example.org/disable")).body.enabled).toBe(false);
    await expect.poll(() => login(service, "alice@example.org", STRONG)).toBe(400);
    expect((await call("POST", "/users/alice@example.org/enable")).body.enabled).toBe(true);
    await expect.poll(() => login(service, "alice@example.org", STRONG)).toBe(200);

    const reset = await call("POST", "/users/alice@example.org/password", {
      password: "An0ther-Strong-Passphrase!",
    });
    expect(reset.status).toBe(200);
    expect(JSON.stringify(reset.body)).not.toMatch(/\$2[aby]\$|An0ther/);
    await expect.poll(() => login(service, "alice@example.org", "An0ther-Strong-Passphrase!")).toBe(200);

    const weak = await call("POST", "/users", {
      email: "weak@example.org",
      password: "azerty123",
      allow_weak: true,
    });
    expect(weak.body.must_change_password).toBe(true);
    expect((await call("GET", "/users?weak=true")).body.users).toHaveLength(1);
    expect((await call("DELETE", "/domains/example.org")).status).toBe(409);
    expect((await call("DELETE", "/users/weak@example.org")).body).toEqual({ deleted: "weak@example.org" });
    expect((await call("GET", "/users/weak@example.org")).status).toBe(404);
  });

  it("bans through the API refuse that address at /dovecot/token until lifted", async () => {
    await call("POST", "/users", { email: "bob@example.org", password: STRONG });
    const banned = await call("POST", "/bans", { network: "203.0.113.0/24", for: "1d", reason: "API test" });
    expect(banned.status).toBe(201);
    expect(banned.body).toMatchObject({ network: "203.0.113.0/24", source: "manual", reason: "API test" });
    expect(await login(service, "bob@example.org", STRONG, "203.0.113.7")).toBe(400);
    expect(await login(service, "bob@example.org", STRONG, "198.51.100.7")).toBe(200);

    const bans = await call("GET", "/bans");
    expect(bans.body.bans.map((b: { network: string }) => b.network)).toContain("203.0.113.0/24");
    const ip = await call("GET", "/ip/203.0.113.7");
    expect(ip.body).toMatchObject({ ip: "203.0.113.7", banned: { network: "203.0.113.0/24" } });

    const lifted = await call("DELETE", "/bans/203.0.113.0%2F24?reason=test%20over");
    expect(lifted.status).toBe(200);
    expect(lifted.body.lifted[0]).toMatchObject({ network: "203.0.113.0/24", lifted_reason: "test over" });
    expect(await login(service, "bob@example.org", STRONG, "203.0.113.7")).toBe(200);

    await call("POST", "/bans", { network: "2001:db8:0:1:5::/80", permanent: true, reason: "v6" });
    const allowed = await call("POST", "/allowlist", {
      network: "2001:db8:0:1::/64",
      reason: "office",
      for: "7d",
    });
    expect(allowed.status).toBe(201);
    expect(allowed.body).toMatchObject({ network: "2001:db8:0:1::/64", builtin: false });
    expect(allowed.body.expires_at).not.toBeNull();
    const entries = (await call("GET", "/allowlist")).body.entries as { network: string; builtin: boolean }[];
    expect(entries.some((e) => e.builtin)).toBe(true);
    expect(entries.map((e) => e.network)).toContain("2001:db8:0:1::/64");
    expect((await call("DELETE", `/allowlist/${encodeURIComponent("2001:db8:0:1::/64")}`)).status).toBe(200);
    expect((await call("DELETE", `/allowlist/${encodeURIComponent("2001:db8:0:1::/64")}`)).status).toBe(404);
  });

  it("records every API change in the audit log, with no password or hash", async () => {
    const { body } = await call("GET", "/audit?limit=1000");
    const entries = body.entries as {
      id: number;
      actor: string;
      action: string;
      target: string | null;
      before: any;
      after: any;
    }[];
    expect(new Set(entries.map((e) => e.actor))).toEqual(new Set(["api:admin"]));
    const actions = entries.map((e) => `${e.action} ${e.target}`);
    for (const expected of [
      "domain.upsert example.org",
      "user.add alice@example.org",
      "user.disable alice@example.org",
      "user.enable alice@example.org",
      "user.passwd alice@example.org",
      "user.delete weak@example.org",
      "ban.add 203.0.113.0/24",
      "ban.remove 203.0.113.0/24",
      "allow.add 2001:db8:0:1::/64",
      "allow.remove 2001:db8:0:1::/64",
    ])
      expect(actions).toContain(expected);
    const passwd = entries.find((e) => e.action === "user.passwd");
    expect(passwd?.before).toMatchObject({ scheme: "BLF-CRYPT", must_change_password: false });
    expect(passwd?.after).toMatchObject({ scheme: "BLF-CRYPT", must_change_password: false });
    const disable = entries.find((e) => e.action === "user.disable");
    expect([disable?.before.enabled, disable?.after.enabled]).toEqual([true, false]);
    const allow = entries.find((e) => e.action === "allow.add");
    expect(allow?.before.lifted[0].network).toBe("2001:db8:0:1:5::/80");
    const text = JSON.stringify(entries);
    expect(text).not.toMatch(/\$2[aby]\$|password_hash|Tr0ub4dor|An0ther|azerty/);
    // Newest first, paged by cursor.
    const first = await call("GET", "/audit?limit=3");
    const next = await call("GET", `/audit?limit=3&cursor=${first.body.next_cursor}`);
    expect([...first.body.entries, ...next.body.entries].map((e: { id: number }) => e.id)).toEqual(
      entries.slice(0, 6).map((e) => e.id),
    );
    expect((await call("GET", "/audit?action=user.add&target=alice@example.org")).body.entries).toHaveLength(
      1,
    );
  });

  it("pages through the login events by cursor and filters them", async () => {
    for (let i = 0; i < 5; i++) await login(service, "carol@example.org", `Wrong-Guess-${i}-x`, "192.0.2.55");
    await login(service, "bob@example.org", STRONG, "192.0.2.56");
    await service.server.deps.events.flush();
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const reply = await call(
        "GET",
        `/events?login=carol@example.org&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(reply.status).toBe(200);
      expect(reply.body.events.length).toBeLessThanOrEqual(2);
      for (const event of reply.body.events) {
        expect(event).toMatchObject({
          login: "carol@example.org",
          ip: "192.0.2.55",
          outcome: "unknown_user",
        });
        seen.push(event.id);
      }
      cursor = reply.body.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(5);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    const byIp = await call("GET", "/events?ip=192.0.2.56&outcome=ok");
    expect(byIp.body.events).toHaveLength(1);
    expect(byIp.body.next_cursor).toBeNull();
    const future = await call("GET", `/events?since=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.body.events).toEqual([]);
    const past = await call(
      "GET",
      `/events?login=carol@example.org&until=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    expect(past.body.events).toHaveLength(5);
  });
});

describeEachDatabase("admin API changes and the audit log", (kind) => {
  let service: TestService;
  let call: ReturnType<typeof api>;
  // A real failure of the audit INSERT inside the change's transaction, on either database.
  const refuseAuditRows = (on: boolean) =>
    service.server.deps.db.exec(
      on
        ? "ALTER TABLE audit_log ADD CONSTRAINT audit_refused CHECK (false) NOT VALID"
        : "ALTER TABLE audit_log DROP CONSTRAINT audit_refused",
    );
  const auditCount = async () =>
    (await service.server.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log"))[0]?.n;
  const latest = async (action: string) => {
    const reply = await call("GET", `/audit?action=${action}&limit=1`);
    expect(reply.status).toBe(200);
    return reply.body.entries[0] as { target: string; before: any; after: any };
  };

  beforeAll(async () => {
    service = await startTestService({ kind, env: { MAILAUTH_ADMIN_TOKEN: ADMIN_TOKEN } });
    call = api(service);
    expect((await call("PUT", "/domains/example.org", { uid: 5000, gid: 5000 })).status).toBe(201);
    expect((await call("PUT", "/domains/empty.example", {})).status).toBe(201);
    expect((await call("POST", "/users", { email: "dan@example.org", password: STRONG })).status).toBe(201);
    expect((await call("POST", "/bans", { network: "192.0.2.0/24", for: "1d", reason: "kept" })).status).toBe(
      201,
    );
    expect((await call("POST", "/allowlist", { network: "198.51.100.0/24", reason: "kept" })).status).toBe(
      201,
    );
  });
  afterAll(async () => {
    await service?.close();
  });

  it("undoes every change whose audit entry cannot be written, and answers 503", async () => {
    const state = async () => ({
      dan: (await call("GET", "/users/dan%40example.org")).body,
      eve: (await call("GET", "/users/eve%40example.org")).status,
      domains: (await call("GET", "/domains")).body,
      bans: (await call("GET", "/bans")).body,
      allowlist: (await call("GET", "/allowlist")).body,
      bannedNow: (await call("GET", "/ip/192.0.2.9")).body.banned?.network ?? null,
      audit: await auditCount(),
    });
    const before = await state();
    await refuseAuditRows(true);
    try {
      const changes: [string, string, unknown?][] = [
        ["POST", "/users", { email: "eve@example.org", password: STRONG }],
        ["POST", "/users/dan%40example.org/disable"],
        ["POST", "/users/dan%40example.org/password", { password: "An0ther-Strong-Passphrase!" }],
        ["DELETE", "/users/dan%40example.org"],
        ["PUT", "/domains/new.example", {}],
        ["PUT", "/domains/example.org", { uid: 6000, gid: 6000 }],
        ["DELETE", "/domains/empty.example"],
        ["POST", "/bans", { network: "203.0.113.0/24", permanent: true, reason: "refused" }],
        ["POST", "/bans", { network: "192.0.2.0/24", for: "7d", reason: "replacing" }],
        ["DELETE", "/bans/192.0.2.0%2F24"],
        ["POST", "/allowlist", { network: "192.0.2.0/24", reason: "would lift a ban" }],
        ["DELETE", "/allowlist/198.51.100.0%2F24"],
      ];
      for (const [method, path, body] of changes) {
        const reply = await call(method, path, body);
        expect(reply.status, `${method} ${path}`).toBe(503);
        expect(reply.body.error).toBe("temporarily_unavailable");
        expect(reply.body.error_description, `${method} ${path}`).toMatch(/change was not made.*try again/);
      }
      expect((await call("GET", "/ip/203.0.113.9")).body.banned).toBeNull();
    } finally {
      await refuseAuditRows(false);
    }
    expect(await state()).toEqual(before);
    expect(await login(service, "dan@example.org", STRONG)).toBe(200);
  });

  it("shows in before and after what each change changed", async () => {
    await call("PUT", "/domains/example.org", { uid: 5001, gid: 5000 });
    let entry = await latest("domain.upsert");
    expect([entry.before.uid, entry.after.uid]).toEqual([5000, 5001]);
    await call("PUT", "/domains/fresh.example", { home: "/srv/%d/%n" });
    entry = await latest("domain.upsert");
    expect(entry).toMatchObject({ target: "fresh.example", before: null, after: { home: "/srv/%d/%n" } });
    await call("DELETE", "/domains/fresh.example");
    entry = await latest("domain.remove");
    expect(entry).toMatchObject({ before: { home: "/srv/%d/%n" }, after: null });

    await call("POST", "/users", { email: "fay@example.org", password: STRONG, quota_rule: "*:storage=1G" });
    entry = await latest("user.add");
    expect(entry).toMatchObject({ target: "fay@example.org", before: null, after: { enabled: true } });
    expect(entry.after.quota_rule).toBe("*:storage=1G");
    await call("POST", "/users/fay%40example.org/password", { password: "An0ther-Strong-Passphrase!" });
    entry = await latest("user.passwd");
    expect(entry.before.scheme).toBe(entry.after.scheme);
    expect(entry.after.password_changed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(entry.after.password_changed_at)).toBeGreaterThan(
      Date.parse(entry.before.password_changed_at),
    );
    await call("POST", "/users/fay%40example.org/disable");
    entry = await latest("user.disable");
    expect([entry.before.enabled, entry.after.enabled]).toEqual([true, false]);
    await call("DELETE", "/users/fay%40example.org");
    entry = await latest("user.delete");
    expect(entry).toMatchObject({ before: { enabled: false, quota_rule: "*:storage=1G" }, after: null });

    await call("POST", "/bans", { network: "203.0.113.0/24", for: "1d", reason: "first" });
    entry = await latest("ban.add");
    expect(entry).toMatchObject({ before: null, after: { network: "203.0.113.0/24", reason: "first" } });
    await call("POST", "/bans", { network: "203.0.113.0/24", permanent: true, reason: "second" });
    entry = await latest("ban.add");
    expect(entry.before.replaced).toMatchObject([{ reason: "first" }]);
    expect(entry.after).toMatchObject({ reason: "second", expires_at: null });
    await call("DELETE", "/bans/203.0.113.0%2F24?reason=done");
    entry = await latest("ban.remove");
    expect(entry.before.live).toMatchObject([{ network: "203.0.113.0/24", reason: "second" }]);
    expect(entry.after).toEqual({ live: [], lifted_reason: "done" });

    await call("POST", "/allowlist", { network: "192.0.2.0/24", reason: "office", for: "7d" });
    entry = await latest("allow.add");
    expect(entry.before.lifted).toMatchObject([{ network: "192.0.2.0/24" }]);
    expect(entry.after).toMatchObject({ network: "192.0.2.0/24", reason: "office" });
    await call("DELETE", "/allowlist/192.0.2.0%2F24");
    entry = await latest("allow.remove");
    expect(entry).toMatchObject({ target: "192.0.2.0/24", after: null });
    expect(entry.before).toMatchObject({ network: "192.0.2.0/24", reason: "office" });
    expect(entry.before.expires_at).not.toBeNull();
  });
});
