import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { smtpAuth } from "./clients/smtp.js";
import { daemonGate } from "./harness/daemons.js";
import { type Dovecot, startDovecot } from "./harness/dovecot.js";
import { type Postfix, startPostfix } from "./harness/postfix.js";
import { startMailauth } from "./mailauth.js";

type Mailauth = Awaited<ReturnType<typeof startMailauth>>;

// Postfix's submission service (examples/postfix) hands AUTH to the example Dovecot's auth socket,
// which asks mailauth. Failing tests use their own client IP (XCLIENT) because Dovecot penalises
// an IP after a failure, and the test Postfix would otherwise be one IP: 127.0.0.1.
const gate = daemonGate("dovecot", "postfix");

describe.skipIf(gate.skip)("Postfix SMTP AUTH through Dovecot SASL, against mailauth", () => {
  let mailauth: Mailauth | undefined;
  let dovecot: Dovecot | undefined;
  let postfix: Postfix | undefined;
  const auth = (options: Parameters<typeof smtpAuth>[1]) => smtpAuth((postfix as Postfix).smtpPort, options);

  beforeAll(async () => {
    gate.assertAvailable();
    mailauth = await startMailauth();
    dovecot = await startDovecot(mailauth.passdb);
    postfix = await startPostfix({ saslPath: dovecot.authSocketPath });
    await mailauth.addMailDomain(dovecot);
    await mailauth.addUser("alice@example.org", "alice-Kestrel-Tr0mbone-42");
  }, 30_000);

  afterAll(async () => {
    await postfix?.stop();
    await dovecot?.stop();
    await mailauth?.close();
  });

  for (const mechanism of ["PLAIN", "LOGIN"] as const) {
    test(`AUTH ${mechanism} with the right password answers 235`, async () => {
      const reply = await auth({
        user: "alice@example.org",
        password: "alice-Kestrel-Tr0mbone-42",
        mechanism,
      });
      expect(reply).toBe("235 2.7.0 Authentication successful");
    });

    test(`AUTH ${mechanism} with a wrong password answers 535`, async () => {
      const ip = mechanism === "PLAIN" ? "198.51.100.21" : "198.51.100.22";
      const reply = await auth({ user: "alice@example.org", password: "wrong", mechanism, ip });
      expect(reply).toMatch(/^535 5\.7\.8 Error: authentication failed:/);
    });
  }

  test("mailauth records the SMTP client's address and service smtp", async () => {
    const ip = "198.51.100.23";
    const reply = await auth({
      user: "alice@example.org",
      password: "alice-Kestrel-Tr0mbone-42",
      mechanism: "PLAIN",
      ip,
    });
    expect(reply).toBe("235 2.7.0 Authentication successful");
    const events = ((await mailauth?.events()) ?? []).filter((event) => event.ip === ip);
    expect(events).toEqual([expect.objectContaining({ ip, login: "alice@example.org", service: "smtp" })]);
  });

  // A quirk to know, not a wish: Dovecot reports the failure as temporary, but Postfix's Dovecot
  // SASL client (xsasl_dovecot, 3.7) ignores that flag and answers 535 as for a wrong password.
  // Only a lost connection to Dovecot gives 454. Mail clients may prompt for the password during
  // a mailauth outage; if this starts answering 454, Postfix has learnt the difference.
  test("a 503 from mailauth still reaches the SMTP client as 535 (Postfix drops Dovecot's temp flag)", async () => {
    (mailauth as Mailauth).failDatabase(true);
    try {
      const reply = await auth({
        user: "alice@example.org",
        password: "alice-Kestrel-Tr0mbone-42",
        mechanism: "PLAIN",
        ip: "198.51.100.24",
      });
      expect(reply).toBe("535 5.7.8 Error: authentication failed: (reason unavailable)");
    } finally {
      (mailauth as Mailauth).failDatabase(false);
    }
    expect(await (dovecot as Dovecot).logs()).toMatch(/oauth2 failed: Password grant failed: 503/);
  });
});
