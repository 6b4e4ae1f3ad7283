import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { imapLogin } from "./clients/imap.js";
import { daemonGate } from "./harness/daemons.js";
import { type Dovecot, startDovecot } from "./harness/dovecot.js";
import { startMailauth } from "./mailauth.js";

type Mailauth = Awaited<ReturnType<typeof startMailauth>>;
const gate = daemonGate("dovecot");
const PASSWORD = "alice-Kestrel-Tr0mbone-42";

describe.skipIf(gate.skip)("Dovecot 2.3 with mailauth as its auth-policy server too", () => {
  let mailauth: Mailauth | undefined;
  let dovecot: Dovecot | undefined;

  beforeAll(async () => {
    gate.assertAvailable();
    mailauth = await startMailauth();
    dovecot = await startDovecot({
      ...mailauth.passdb,
      policyUrl: `${mailauth.url}/dovecot/policy`,
      policyToken: mailauth.policyToken,
    });
    await mailauth.addMailDomain(dovecot);
    await mailauth.addUser("alice@example.org", PASSWORD);
  }, 30_000);

  afterAll(async () => {
    await dovecot?.stop();
    await mailauth?.close();
  });

  test("a right login passes the policy checks", async () => {
    expect(
      await imapLogin(dovecot?.imapPort ?? 0, {
        user: "alice@example.org",
        password: PASSWORD,
        ip: "198.51.100.60",
      }),
    ).toMatch(/^a\d+ OK .*Logged in$/);
  });

  test("after a bot's bad logins, its next login is refused by the policy before the passdb is asked", async () => {
    const bot = "198.51.100.66";
    // Dovecot itself makes each further failure from one address wait longer (4.5 s, 8 s...), so
    // the bot's first wrong guesses reach mailauth as another Dovecot or Postfix would send them.
    for (const guess of ["Kx8-first-guess-q", "Jw2-second-guess-r", "Mz5-third-guess-s"]) {
      const body = new URLSearchParams({
        grant_type: "password",
        username: "alice@example.org",
        password: guess,
        client_id: mailauth?.clientId ?? "",
        client_secret: mailauth?.clientSecret ?? "",
      });
      const response = await fetch(`${mailauth?.url}/dovecot/token`, {
        method: "POST",
        headers: { "x-dovecot-auth-remote": `${bot}:0`, "x-dovecot-auth-service": "smtp" },
        body,
      });
      expect(response.status).toBe(400);
    }
    expect(await mailauth?.banned(bot)).toBe(false);
    // Bad reputation and a weak password, over real IMAP: banned.
    expect(
      await imapLogin(dovecot?.imapPort ?? 0, { user: "alice@example.org", password: "azerty123", ip: bot }),
    ).toMatch(/^a\d+ NO \[AUTHENTICATIONFAILED\]/);
    expect(await mailauth?.banned(bot)).toBe(true);
    const attemptsBefore = ((await mailauth?.events()) ?? []).filter((e) => e.ip === bot).length;
    const reply = await imapLogin(dovecot?.imapPort ?? 0, {
      user: "alice@example.org",
      password: PASSWORD,
      ip: bot,
    });
    expect(reply).toMatch(/^a\d+ NO /);
    expect(reply).toContain("Access denied: too many failed logins from your address.");
    // Refused by the policy: the passdb (/dovecot/token) was not asked again.
    expect(((await mailauth?.events()) ?? []).filter((e) => e.ip === bot)).toHaveLength(attemptsBefore);
    // Another address still logs in.
    expect(
      await imapLogin(dovecot?.imapPort ?? 0, {
        user: "alice@example.org",
        password: PASSWORD,
        ip: "198.51.100.61",
      }),
    ).toMatch(/^a\d+ OK .*Logged in$/);
  }, 60_000);
});
