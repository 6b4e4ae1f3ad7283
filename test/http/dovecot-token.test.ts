import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import unixCrypt from "unix-crypt-td-js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addUser } from "../../src/accounts/accounts.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { capturedLogs, startTestService, TEST_CLIENT_SECRET, type TestService } from "../helpers/service.js";

const PASSWORD = "correct horse battery staple";

/** Retries an assertion for up to a second: changes reach the login cache through NOTIFY. */
async function eventually(check: () => Promise<void>, ms = 1000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function grant(fields: Record<string, string>) {
  return new URLSearchParams({
    grant_type: "password",
    client_id: "dovecot",
    client_secret: TEST_CLIENT_SECRET,
    ...fields,
  }).toString();
}

async function token(
  service: TestService,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${service.url}/dovecot/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: grant(fields),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describeEachDatabase("POST /dovecot/token", (kind) => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ kind });
    await service.addDomain("example.org", {
      home: "/var/vmail/%d/%n",
      mail: "maildir:~/Maildir",
      uid: 5000,
      gid: 5000,
      quota_rule: "*:storage=1G",
    });
    await service.addUser("alice@example.org", PASSWORD);
    await service.addUser("bob@example.org", PASSWORD, { home: "/srv/bob", quota_rule: "*:storage=5G" });
    await service.addUser("carol@example.org", PASSWORD);
    await service.setEnabled("carol@example.org", false);
  });
  afterAll(() => service.close());

  it("logs in with the right password and returns the userdb fields resolved from the domain", async () => {
    const { status, body } = await token(service, { username: "alice@example.org", password: PASSWORD });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      token_type: "Bearer",
      expires_in: 3600,
      username: "alice@example.org",
      active: "true",
      home: "/var/vmail/example.org/alice",
      mail: "maildir:~/Maildir",
      uid: "5000",
      gid: "5000",
      quota_rule: "*:storage=1G",
    });
    expect(body.access_token).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.values(body).every((v) => typeof v === "string" || typeof v === "number")).toBe(true);
  });

  it("lets a user's own fields win over its domain's defaults", async () => {
    const { body } = await token(service, { username: "bob@example.org", password: PASSWORD });
    expect(body).toMatchObject({ home: "/srv/bob", quota_rule: "*:storage=5G", uid: "5000" });
  });

  it("fills what neither the user nor its domain sets from the service-wide defaults", async () => {
    await service.addUser("dave@elsewhere.net", PASSWORD);
    const { body } = await token(service, { username: "dave@elsewhere.net", password: PASSWORD });
    expect(body).toMatchObject({
      home: "/var/vmail/elsewhere.net/dave",
      mail: "maildir:~/Maildir",
      uid: "5000",
      gid: "5000",
      quota_rule: "*:storage=0",
    });
  });

  it("sees a disabled account, a reset password and new domain defaults within a second despite the login cache", async () => {
    const erin = (password: string) => token(service, { username: "erin@example.org", password });
    const NEW = "Granite-Puffin-Ledger-83";
    await service.addUser("erin@example.org", PASSWORD);
    expect((await erin(PASSWORD)).status).toBe(200);
    await service.setEnabled("erin@example.org", false);
    await eventually(async () => expect((await erin(PASSWORD)).status).toBe(400));
    await service.setEnabled("erin@example.org", true);
    const { deps } = service.server;
    const { resetPassword } = await import("../../src/accounts/accounts.js");
    const reset = await resetPassword(
      { db: deps.db, hasher: deps.hasher, strength: deps.strength },
      "erin@example.org",
      {
        password: NEW,
      },
    );
    expect(reset).toEqual({ ok: true, email: "erin@example.org", mustChange: false });
    await eventually(async () => expect((await erin(NEW)).status).toBe(200));
    expect((await erin(PASSWORD)).status).toBe(400);
    await service.addDomain("example.org", { home: "/home/vmail/%d/%n", uid: 6000, gid: 6000 });
    await eventually(async () =>
      expect((await erin(NEW)).body).toMatchObject({ home: "/home/vmail/example.org/erin", uid: "6000" }),
    );
    await service.addDomain("example.org", {
      home: "/var/vmail/%d/%n",
      mail: "maildir:~/Maildir",
      uid: 5000,
      gid: 5000,
      quota_rule: "*:storage=1G",
    });
    // Once a lookup has seen the restored defaults, the notification is behind us: the row it
    // read is cached and the next login is answered from memory.
    await eventually(async () =>
      expect((await erin(NEW)).body).toMatchObject({ home: "/var/vmail/example.org/erin" }),
    );
    const { hits } = deps.logins.stats();
    expect((await erin(NEW)).status).toBe(200);
    expect(deps.logins.stats().hits).toBe(hits + 1);
  });

  it("answers wrong password, unknown user and disabled account with the same invalid_grant", async () => {
    const replies = await Promise.all([
      token(service, { username: "alice@example.org", password: "not the password" }),
      token(service, { username: "nobody@example.org", password: PASSWORD }),
      token(service, { username: "carol@example.org", password: PASSWORD }),
      token(service, { username: "alice@example.org", password: "" }),
    ]);
    for (const reply of replies) expect(reply).toEqual({ status: 400, body: { error: "invalid_grant" } });
  });

  it("refuses a wrong client with 401 invalid_client, a temporary failure for Dovecot", async () => {
    const { status, body } = await token(service, {
      username: "alice@example.org",
      password: PASSWORD,
      client_secret: "wrong",
    });
    expect({ status, body }).toEqual({ status: 401, body: { error: "invalid_client" } });
  });

  it("answers 503 when the database fails, never a wrong password", async () => {
    service.failDatabase(true);
    try {
      const { status, body } = await token(service, { username: "alice@example.org", password: PASSWORD });
      expect({ status, body }).toEqual({ status: 503, body: { error: "temporarily_unavailable" } });
    } finally {
      service.failDatabase(false);
    }
  });

  it("records each attempt with the client IP and service, never the password", async () => {
    await token(
      service,
      { username: "alice@example.org", password: "wrong-for-event" },
      { "x-dovecot-auth-remote": "[::ffff:198.51.100.7]:0", "x-dovecot-auth-service": "smtp" },
    );
    await service.server.deps.events.flush();
    const rows = await service.server.deps.db.query<Record<string, string>>(
      "SELECT host(ip) AS ip, login, service, outcome, reason FROM auth_events WHERE service = 'smtp'",
    );
    expect(rows).toEqual([
      {
        ip: "198.51.100.7",
        login: "alice@example.org",
        service: "smtp",
        outcome: "wrong_password",
        reason: null,
      },
    ]);
    const all = await service.server.deps.db.query("SELECT * FROM auth_events");
    expect(JSON.stringify(all)).not.toContain("wrong-for-event");
    expect(JSON.stringify(all)).not.toContain(PASSWORD);
  });
});

describe.skipIf(!inject("postgresUrl"))("two mailauth instances on one PostgreSQL", () => {
  it("see an account disabled through the other within a second", async () => {
    const first = await startTestService({ kind: "postgres" });
    const { openPostgres } = await import("../../src/db/database.js");
    const { startServer } = await import("../../src/server.js");
    const { configFromEnv } = await import("../../src/config/config.js");
    const { createLogger } = await import("../../src/log.js");
    const parsed = configFromEnv({
      MAILAUTH_DATABASE_URL: first.databaseUrl ?? "",
      MAILAUTH_LISTEN: "127.0.0.1:0",
      MAILAUTH_DOVECOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
      MAILAUTH_BCRYPT_COST: "4",
      MAILAUTH_LOG_LEVEL: "silent",
    });
    if (!parsed.ok) throw new Error(parsed.errors.join());
    const second = await startServer(parsed.config, createLogger(parsed.config));
    const other = { url: second.url } as TestService;
    try {
      await first.addUser("shared@example.org", PASSWORD);
      expect((await token(other, { username: "shared@example.org", password: PASSWORD })).status).toBe(200);
      expect((await token(other, { username: "shared@example.org", password: PASSWORD })).status).toBe(200);
      const direct = openPostgres(first.databaseUrl ?? "");
      await direct.query("UPDATE users SET enabled = false WHERE email = 'shared@example.org'");
      await direct.close();
      let status = 200;
      for (let i = 0; i < 20 && status === 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = (await token(other, { username: "shared@example.org", password: PASSWORD })).status;
      }
      expect(status).toBe(400);
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe("POST /dovecot/token, input and upgrades", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service.close());

  it.each([
    ["grant_type=password&username=a@example.org", 400, "password is missing"],
    ["not a form at all", 400, "grant_type must be password"],
    [
      grant({ username: "a@example.org", password: "x".repeat(2000) }),
      400,
      "password is longer than 1024 bytes",
    ],
  ])("refuses a malformed body with a reason (%#)", async (body, status, reason) => {
    const response = await fetch(`${service.url}/dovecot/token`, { method: "POST", body });
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: "invalid_request", error_description: reason });
  });

  it("refuses a body over 8 KiB with 413", async () => {
    const response = await fetch(`${service.url}/dovecot/token`, {
      method: "POST",
      body: `x=${"a".repeat(9000)}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: "invalid_request" });
  });

  it("logs a client that hangs up mid-body at debug, not as an unhandled error", async () => {
    const from = capturedLogs.length;
    const { port } = new URL(service.url);
    await new Promise<void>((done) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write("POST /dovecot/token HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\ngrant_type=pass");
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on("close", () => done());
    });
    await eventually(async () => {
      expect(capturedLogs.slice(from).join("")).toContain("client left before its request body was read");
    });
    expect(capturedLogs.slice(from).join("")).not.toMatch(/unhandled error|"level":50/);
  });

  it("answers like Dovecot 2.4 wants with MAILAUTH_DOVECOT_FAILURE_STYLE=dovecot24", async () => {
    const v24 = await startTestService({ env: { MAILAUTH_DOVECOT_FAILURE_STYLE: "dovecot24" } });
    try {
      const { status, body } = await token(v24, { username: "nobody@example.org", password: "whatever" });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        active: "false",
        username: "nobody@example.org",
        token_type: "Bearer",
        home: "",
      });
    } finally {
      await v24.close();
    }
  });

  const legacy = "Legacy-Orchid-Harbour-58";
  const salt = Buffer.from("s4lt");
  it.each([
    [
      "an {SSHA512} digest",
      "legacy@example.org",
      `{SSHA512}${Buffer.concat([createHash("sha512").update(legacy).update(salt).digest(), salt]).toString("base64")}`,
    ],
    // DES reads the first 8 bytes only: the bcrypt hash that replaces it takes the whole password.
    ["a DES crypt hash", "legacy-des@example.org", `{DES-CRYPT}${unixCrypt(legacy, "s4")}`],
  ])(
    "upgrades %s to bcrypt after a successful login, and the new hash still logs in",
    async (_, email, old) => {
      const { deps } = service.server;
      const added = await addUser({ db: deps.db, hasher: deps.hasher, strength: deps.strength }, email, {
        hash: old,
      });
      expect(added.ok).toBe(true);
      expect((await token(service, { username: email, password: legacy })).status).toBe(200);
      await deps.background.drain();
      const [row] = await deps.db.query<{ password_hash: string }>(
        "SELECT password_hash FROM users WHERE email = $1",
        [email],
      );
      expect(row?.password_hash).toMatch(/^\{BLF-CRYPT\}\$2[aby]\$04\$/);
      expect((await token(service, { username: email, password: legacy })).status).toBe(200);
    },
  );

  it("reports health and readiness", async () => {
    expect(await (await fetch(`${service.url}/healthz`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${service.url}/readyz`)).json()).toEqual({ status: "ready" });
    service.failDatabase(true);
    try {
      const response = await fetch(`${service.url}/readyz`);
      expect(response.status).toBe(503);
    } finally {
      service.failDatabase(false);
    }
  });
});

describe("POST /dovecot/token and weak passwords", () => {
  let service: TestService;
  let hook: Server;
  const notifications: unknown[] = [];
  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        notifications.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((ok) => hook.listen(0, "127.0.0.1", ok));
    const { port } = hook.address() as AddressInfo;
    service = await startTestService({ env: { MAILAUTH_WEAK_NOTIFY_URL: `http://127.0.0.1:${port}/weak` } });
    const { deps } = service.server;
    // Added as a hash, like an imported legacy account: nobody judged this password yet.
    const accountDeps = { db: deps.db, hasher: deps.hasher, strength: deps.strength };
    await addUser(accountDeps, "jean.dupont@exemple.fr", { hash: await deps.hasher.hash("jean.dupont2024") });
    await service.addUser("marie@exemple.fr", PASSWORD);
  });
  afterAll(async () => {
    await service.close();
    hook.close();
  });

  it("refuses a weak password before any hash check, with a wrong password's reply", async () => {
    const { deps } = service.server;
    const before = deps.logins.stats().misses + deps.logins.stats().hits;
    const reply = await token(service, { username: "marie@exemple.fr", password: "motdepasse" });
    expect(reply).toEqual({ status: 400, body: { error: "invalid_grant" } });
    await deps.events.flush();
    const [event] = await deps.db.query<{ outcome: string; reason: string }>(
      "SELECT outcome, reason FROM auth_events WHERE login = 'marie@exemple.fr'",
    );
    expect(event).toEqual({ outcome: "weak_password", reason: "low_score" });
    await deps.background.drain();
    // The follow-up looked the account up after the reply; the refusal itself did not.
    expect(deps.logins.stats().misses + deps.logins.stats().hits).toBe(before + 1);
    expect(deps.weak.stats()).toMatchObject({ checked: 1, flagged: 0 });
  });

  it("flags an account whose real password is weak, once, and tells its owner", async () => {
    const { deps } = service.server;
    for (let i = 0; i < 3; i++) {
      expect(
        (await token(service, { username: "jean.dupont@exemple.fr", password: "jean.dupont2024" })).status,
      ).toBe(400);
    }
    await deps.background.drain();
    const [row] = await deps.db.query<{ must_change_password: boolean }>(
      "SELECT must_change_password FROM users WHERE email = 'jean.dupont@exemple.fr'",
    );
    expect(row?.must_change_password).toBe(true);
    expect(deps.weak.stats()).toMatchObject({ flagged: 1 });
    expect(notifications).toEqual([
      { event: "weak_password_in_use", account: "jean.dupont@exemple.fr", at: expect.any(String) },
    ]);
    expect(JSON.stringify(notifications)).not.toContain("2024");
  });
});

describe("the logs of every service in this file", () => {
  it("never hold a password, the client secret or a password hash", () => {
    const logs = capturedLogs.join("");
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [
      PASSWORD,
      "not the password",
      "wrong-for-event",
      "Granite-Puffin-Ledger-83",
      "motdepasse",
      "jean.dupont2024",
      "Legacy-Orchid-Harbour-58",
      TEST_CLIENT_SECRET,
    ]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/\$2[aby]\$|\{SSHA512\}|\{BLF-CRYPT\}|\{DES-CRYPT\}/);
  });
});

describe("POST /dovecot/token with a broken stored hash", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service.close());

  it.each([
    ["an unknown scheme", "broken@example.org", "{NOSUCH}abc", "abc"],
    ["a malformed DES crypt hash", "broken-des@example.org", "{DES-CRYPT}yyPd/HQGbArgF", "yyPd"],
  ])(
    "(%s) answers a wrong password, never a success, and logs an error naming the account",
    async (_, email, broken, data) => {
      const { deps } = service.server;
      const accountDeps = { db: deps.db, hasher: deps.hasher, strength: deps.strength };
      await addUser(accountDeps, email, { hash: await deps.hasher.hash(PASSWORD) });
      await deps.db.query("UPDATE users SET password_hash = $2 WHERE email = $1", [email, broken]);
      await new Promise((r) => setTimeout(r, 100)); // the NOTIFY drops the cached row
      const from = capturedLogs.length;
      const reply = await token(service, { username: email, password: PASSWORD });
      expect(reply).toEqual({ status: 400, body: { error: "invalid_grant" } });
      const line = capturedLogs
        .slice(from)
        .find((l) => l.includes("stored password hash cannot be verified"));
      expect(line).toContain(`"account":"${email}"`);
      expect(line).not.toContain(data);
    },
  );
});
