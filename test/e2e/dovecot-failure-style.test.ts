import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { imapLogin } from "./clients/imap.js";
import { daemonGate } from "./harness/daemons.js";
import { type Dovecot, startDovecot } from "./harness/dovecot.js";
import { startMailauth } from "./mailauth.js";

type Mailauth = Awaited<ReturnType<typeof startMailauth>>;

const OK = /^a\d+ OK .*Logged in$/;
const FAILED = /^a\d+ NO \[AUTHENTICATIONFAILED\] Authentication failed\.$/;

const gate = daemonGate("dovecot");

// MAILAUTH_DOVECOT_FAILURE_STYLE=dovecot24 answers a failure as 200 with active "false", which
// Dovecot 2.4 needs. An operator who upgrades mailauth's setting before Dovecot must not open
// every account: Dovecot 2.3's example config (no active_attribute) must read it as a failure too.
describe.skipIf(gate.skip)("Dovecot 2.3 against mailauth answering failures in the 2.4 style", () => {
  let mailauth: Mailauth | undefined;
  let dovecot: Dovecot | undefined;
  const imapPort = () => (dovecot as Dovecot).imapPort;

  beforeAll(async () => {
    gate.assertAvailable();
    mailauth = await startMailauth({ env: { MAILAUTH_DOVECOT_FAILURE_STYLE: "dovecot24" } });
    dovecot = await startDovecot(mailauth.passdb);
    await mailauth.addMailDomain(dovecot);
    await mailauth.addUser("carol@example.org", "carol-Meridian-Walrus-31");
    await mailauth.addUser("dave@example.org", "dave-Juniper-Pylon-58");
    await mailauth.setEnabled("dave@example.org", false);
  }, 30_000);

  afterAll(async () => {
    await dovecot?.stop();
    await mailauth?.close();
  });

  test("the right password logs in", async () => {
    expect(
      await imapLogin(imapPort(), { user: "carol@example.org", password: "carol-Meridian-Walrus-31" }),
    ).toMatch(OK);
  });

  test("a wrong password, an unknown user and a disabled account are refused", async () => {
    const [wrong, unknown, disabled] = await Promise.all([
      imapLogin(imapPort(), {
        user: "carol@example.org",
        password: "not-carols-password-1",
        ip: "198.51.100.41",
      }),
      imapLogin(imapPort(), {
        user: "nobody@example.org",
        password: "not-a-password-2",
        ip: "198.51.100.42",
      }),
      imapLogin(imapPort(), {
        user: "dave@example.org",
        password: "dave-Juniper-Pylon-58",
        ip: "198.51.100.43",
      }),
    ]);
    expect(wrong).toMatch(FAILED);
    expect(unknown).toMatch(FAILED);
    expect(disabled).toMatch(FAILED);
  }, 30_000);
});
