import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturedLogs, startTestService, TEST_CLIENT_SECRET, type TestService } from "../helpers/service.js";

const ADMIN_TOKEN = "admin-token-0123456789abcdef";
const FIREWALL_TOKEN = "firewall-token-0123456789abcdef";
const PASSWORD = "Orbit-Walnut-Cascade-64";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The log lines with this message written since `from`, parsed. */
const linesSince = (from: number, msg: string) =>
  capturedLogs
    .slice(from)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === msg);

describe("request ids", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      env: { MAILAUTH_ADMIN_TOKEN: ADMIN_TOKEN, MAILAUTH_FIREWALL_TOKEN: FIREWALL_TOKEN },
    });
  });
  afterAll(() => service.close());

  const get = async (path: string, headers: Record<string, string>) => {
    const response = await fetch(`${service.url}${path}`, { headers });
    await response.arrayBuffer();
    return response;
  };

  it("returns X-Request-Id on admin, metrics and export replies: the caller's when sane, else a new one", async () => {
    for (const [path, token] of [
      ["/admin/v1/users", ADMIN_TOKEN],
      ["/metrics", ADMIN_TOKEN],
      ["/firewall/blacklist.txt", FIREWALL_TOKEN],
      ["/firewall/blacklist.json", FIREWALL_TOKEN],
    ] as const) {
      for (const auth of [`Bearer ${token}`, "Bearer wrong-token-0123456789"]) {
        const given = await get(path, { authorization: auth, "x-request-id": "trace-42.a:b" });
        expect(given.headers.get("x-request-id"), path).toBe("trace-42.a:b");
        const odd = await get(path, { authorization: auth, "x-request-id": "no spaces allowed" });
        expect(odd.headers.get("x-request-id"), path).toMatch(UUID);
        const none = await get(path, { authorization: auth });
        expect(none.headers.get("x-request-id"), path).toMatch(UUID);
        expect(none.headers.get("x-request-id")).not.toBe(odd.headers.get("x-request-id"));
      }
    }
  });

  it("tags the lines an admin request writes deeper down with its id", async () => {
    const from = capturedLogs.length;
    const response = await fetch(`${service.url}/admin/v1/bans`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "x-request-id": "ban-request-1" },
      body: JSON.stringify({ network: "203.0.113.0/24", for: "1h", reason: "request id test" }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-request-id")).toBe("ban-request-1");
    await response.arrayBuffer();
    expect(linesSince(from, "banned").map((l) => l.request_id)).toEqual(["ban-request-1"]);

    // A failure answered 503: its error line and the reply carry the same id.
    await service.server.deps.db.exec(
      "ALTER TABLE audit_log ADD CONSTRAINT audit_refused CHECK (false) NOT VALID",
    );
    try {
      const failed = await fetch(`${service.url}/admin/v1/domains/example.net`, {
        method: "PUT",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        body: "{}",
      });
      expect(failed.status).toBe(503);
      await failed.arrayBuffer();
      const id = failed.headers.get("x-request-id");
      expect(id).toMatch(UUID);
      expect(linesSince(from, "admin request failed").map((l) => l.request_id)).toEqual([id]);
    } finally {
      await service.server.deps.db.exec("ALTER TABLE audit_log DROP CONSTRAINT audit_refused");
    }
  });

  it("tags a login's deeper lines with its request id: an unusable stored hash, a hash upgraded", async () => {
    const login = (username: string, id: string) =>
      fetch(`${service.url}/dovecot/token`, {
        method: "POST",
        headers: { "x-dovecot-auth-remote": "198.51.100.30:0", "x-request-id": id },
        body: new URLSearchParams({
          grant_type: "password",
          client_id: "dovecot",
          client_secret: TEST_CLIENT_SECRET,
          username,
          password: PASSWORD,
        }),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    const salt = Buffer.from("saltsalt");
    const ssha = `{SSHA}${Buffer.concat([createHash("sha1").update(PASSWORD).update(salt).digest(), salt]).toString("base64")}`;
    for (const [email, hash] of [
      ["broken@example.org", "{SHA512-CRYPT}$6$not-a-hash"],
      ["legacy@example.org", ssha],
    ]) {
      await service.addUser(email as string, PASSWORD);
      await service.server.deps.db.query("UPDATE users SET password_hash = $2 WHERE email = $1", [
        email,
        hash,
      ]);
    }
    const from = capturedLogs.length;
    expect(await login("broken@example.org", "login-broken")).toBe(400);
    expect(await login("legacy@example.org", "login-legacy")).toBe(200);
    await expect
      .poll(() => linesSince(from, "password hash upgraded").map((l) => l.request_id))
      .toEqual(["login-legacy"]);
    expect(linesSince(from, "stored password hash cannot be verified").map((l) => l.request_id)).toEqual([
      "login-broken",
    ]);
  });
});
