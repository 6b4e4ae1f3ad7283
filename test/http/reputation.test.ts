import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../src/clock.js";
import { capturedLogs, startTestService, TEST_CLIENT_SECRET, type TestService } from "../helpers/service.js";

const PASSWORD = "Orbit-Walnut-Cascade-64";
const POLICY_TOKEN = "test-policy-token-0123456789";
const MINUTE = 60_000;

describe("reputation and bans at /dovecot/token and /dovecot/policy", () => {
  let service: TestService;
  const clock = manualClock(new Date("2026-03-01T08:00:00Z"));

  const token = async (username: string, password: string, ip: string) => {
    const response = await fetch(`${service.url}/dovecot/token`, {
      method: "POST",
      headers: {
        "x-dovecot-auth-remote": ip.includes(":") ? `[${ip}]:0` : `${ip}:0`,
        "x-dovecot-auth-service": "imap",
      },
      body: new URLSearchParams({
        grant_type: "password",
        username,
        password,
        client_id: "dovecot",
        client_secret: TEST_CLIENT_SECRET,
      }),
    });
    return response.status;
  };
  const policy = async (command: string, body: unknown, auth = `Bearer ${POLICY_TOKEN}`) => {
    const response = await fetch(`${service.url}/dovecot/policy?command=${command}`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const banned = async (ip: string) => {
    await service.server.deps.background.drain();
    return service.server.deps.blacklist.check(ip).ban;
  };
  const outcomes = async (ip: string) => {
    await service.server.deps.events.flush();
    const rows = await service.server.deps.db.query<{ outcome: string }>(
      "SELECT outcome FROM auth_events WHERE ip = $1 ORDER BY id",
      [ip],
    );
    return rows.map((r) => r.outcome);
  };

  beforeAll(async () => {
    service = await startTestService({
      clock,
      env: { MAILAUTH_POLICY_TOKEN: POLICY_TOKEN, MAILAUTH_TRUSTED_NETWORKS: "192.0.2.10" },
    });
    await service.addUser("alice@example.org", PASSWORD);
    await service.addUser("bob@example.org", PASSWORD);
  });
  afterAll(() => service.close());

  it("never bans a phone retrying one old password every ten minutes for three days", async () => {
    for (let i = 0; i < 3 * 24 * 6; i++) {
      expect(await token("alice@example.org", "Old-Password-Before-Reset-1", "198.51.100.1")).toBe(400);
      clock.advance(10 * MINUTE);
    }
    expect(await banned("198.51.100.1")).toBeNull();
    expect(await token("alice@example.org", PASSWORD, "198.51.100.1")).toBe(200);
  });

  it("refuses but does not ban one weak try from a clean address", async () => {
    expect(await token("alice@example.org", "azerty123", "198.51.100.2")).toBe(400);
    expect(await banned("198.51.100.2")).toBeNull();
    expect(await token("alice@example.org", PASSWORD, "198.51.100.2")).toBe(200);
  });

  it("bans an address of bad reputation at its first weak password, then refuses it before any password check", async () => {
    const ip = "198.51.100.3";
    for (const guess of ["Kx8-first-guess-q", "Jw2-second-guess-r", "Mz5-third-guess-s"]) {
      expect(await token("alice@example.org", guess, ip)).toBe(400);
    }
    expect(await banned(ip)).toBeNull();
    expect(await token("bob@example.org", "motdepasse", ip)).toBe(400);
    expect((await banned(ip))?.reason).toMatch(/^weak password from an IP of bad reputation/);
    const verificationsBefore = service.server.deps.logins.stats();
    expect(await token("alice@example.org", PASSWORD, ip)).toBe(400);
    expect(service.server.deps.logins.stats()).toEqual(verificationsBefore);
    expect((await outcomes(ip)).at(-1)).toBe("banned");
    // Further refusals count on the ban; as events, one per address and minute.
    for (let i = 0; i < 5; i++) expect(await token("alice@example.org", PASSWORD, ip)).toBe(400);
    expect((await outcomes(ip)).filter((o) => o === "banned")).toHaveLength(1);
    clock.advance(MINUTE + 1);
    expect(await token("alice@example.org", PASSWORD, ip)).toBe(400);
    expect((await outcomes(ip)).filter((o) => o === "banned")).toHaveLength(2);
  });

  it("bans a dictionary bot on one login even without weak passwords", async () => {
    const ip = "198.51.100.4";
    for (let i = 0; i < 12; i++) await token("bob@example.org", `Strong-Looking-Guess-${i}-xq`, ip);
    expect((await banned(ip))?.reason).toMatch(/^dictionary attack/);
  });

  it("bans credential stuffing across many logins", async () => {
    const ip = "198.51.100.5";
    for (let i = 0; i < 12; i++) await token(`user${i}@example.org`, `Leaked-Pw-${i}-zzK9`, ip);
    expect((await banned(ip))?.reason).toMatch(/stuffing|spraying/);
  });

  it("judges IPv6 per /64: addresses of one network share a reputation and a ban", async () => {
    for (let i = 1; i <= 12; i++)
      await token(`v6user${i}@example.org`, `Leaked-Pw-${i}-v6Q`, `2001:db8:5:6::${i.toString(16)}`);
    expect((await banned("2001:db8:5:6::ffff"))?.network).toBe("2001:db8:5:6::/64");
    expect(await banned("2001:db8:5:7::1")).toBeNull();
  });

  it("never bans a trusted network, whatever it sends", async () => {
    for (let i = 0; i < 15; i++) await token(`user${i}@example.org`, "123456", "192.0.2.10");
    expect(await banned("192.0.2.10")).toBeNull();
  });

  it("answers Dovecot's policy allow: -1 for a banned address, a delay for a suspicious one, 0 otherwise", async () => {
    const request = (remote: string) => ({
      device_id: "",
      login: "alice@example.org",
      protocol: "imap",
      pwhash: "082f",
      remote,
      session_id: "",
      tls: false,
    });
    expect(await policy("allow", request("198.51.100.3"))).toEqual({
      status: 200,
      body: { status: -1, msg: expect.stringContaining("Access denied") },
    });
    expect(await policy("allow", request("198.51.100.77"))).toEqual({
      status: 200,
      body: { status: 0, msg: "" },
    });
    for (let i = 0; i < 4; i++) await token("alice@example.org", `Suspicious-Guess-${i}-pl`, "198.51.100.6");
    const suspicious = await policy("allow", request("198.51.100.6"));
    expect(suspicious.body.status).toBeGreaterThan(0);
  });

  it("feeds reputation from reports the passdb did not see, but not a policy_reject", async () => {
    const report = (pwhash: string, extra: Record<string, unknown>) => ({
      login: "carol@example.org",
      protocol: "imap",
      pwhash,
      remote: "198.51.100.8",
      success: false,
      ...extra,
    });
    for (let i = 0; i < 20; i++)
      expect((await policy("report", report("0aaa", { policy_reject: true }))).body).toEqual({
        status: 0,
        msg: "",
      });
    expect(service.server.deps.reputation.explain("198.51.100.8", clock.now()).tracked).toBe(false);
    for (let i = 0; i < 12; i++) await policy("report", report(i.toString(16).padStart(3, "0"), {}));
    expect((await banned("198.51.100.8"))?.reason).toMatch(/dictionary attack/);
  });

  it("refuses an address judged banned only once its ban is stored, and delays it until then", async () => {
    const ip = "198.51.100.9";
    const allow = () =>
      policy("allow", { login: "dave@example.org", protocol: "imap", pwhash: "0000", remote: ip });
    service.failDatabase(true);
    try {
      for (let i = 0; i < 10; i++) {
        await policy("report", {
          login: "dave@example.org",
          protocol: "imap",
          pwhash: `b${i}`,
          remote: ip,
          success: false,
        });
      }
      // The verdict is a ban but the database refuses it: a refusal now would be a ban that a
      // restart forgets, so the answer is the longest delay.
      expect((await allow()).body).toEqual({
        status: service.server.deps.reputation.settings.maxDelaySeconds,
        msg: "",
      });
      expect(await banned(ip)).toBeNull();
    } finally {
      service.failDatabase(false);
    }
    expect((await allow()).body).toEqual({ status: -1, msg: expect.stringContaining("Access denied") });
    expect((await banned(ip))?.reason).toMatch(/dictionary attack/);
  });

  it("refuses the policy endpoint without the token, and malformed requests with a reason", async () => {
    expect((await policy("allow", { remote: "1.2.3.4" }, "Bearer wrong")).status).toBe(401);
    expect(await policy("allow", "{not json")).toEqual({
      status: 400,
      body: { error: "invalid_request", error_description: "body is not JSON" },
    });
    expect((await policy("frobnicate", {})).status).toBe(400);
    expect((await policy("report", { remote: "1.2.3.4", login: "a" })).body).toMatchObject({
      error_description: "report needs a boolean success",
    });
  });
});

describe("the logs of every service in this file", () => {
  it("never hold a password, a tried password or a token", () => {
    const logs = capturedLogs.join("");
    expect(logs).toContain("banned");
    for (const secret of [
      PASSWORD,
      POLICY_TOKEN,
      TEST_CLIENT_SECRET,
      "Old-Password-Before-Reset-1",
      "motdepasse",
      "Kx8-first-guess-q",
      "Leaked-Pw-3-zzK9",
      "azerty123",
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
