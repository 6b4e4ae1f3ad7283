import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { imapLogin } from "./clients/imap.js";
import { pop3Login } from "./clients/pop3.js";
import { daemonGate } from "./harness/daemons.js";
import { type Dovecot, startDovecot } from "./harness/dovecot.js";
import { startMailauth } from "./mailauth.js";

type Mailauth = Awaited<ReturnType<typeof startMailauth>>;

// Dovecot delays every later login from an IP that failed (2 s, 4 s, 8 s, up to 15 s), loopback
// included. Each test that fails a login therefore comes from its own documentation address,
// set with IMAP ID x-originating-ip or POP3 XCLIENT (trusted from 127.0.0.0/8 in the test config).
const OK = /^a\d+ OK .*Logged in$/;
const FAILED = /^a\d+ NO \[AUTHENTICATIONFAILED\] Authentication failed\.$/;
const UNAVAILABLE = /^a\d+ NO \[UNAVAILABLE\] Temporary authentication failure\./;

const gate = daemonGate("dovecot");

describe.skipIf(gate.skip)("Dovecot 2.3 with the example oauth2 passdb, against mailauth", () => {
  let mailauth: Mailauth | undefined;
  let dovecot: Dovecot | undefined;
  let mailauthClosed = false;

  const imapPort = () => (dovecot as Dovecot).imapPort;
  const events = async (ip: string) => ((await mailauth?.events()) ?? []).filter((event) => event.ip === ip);

  beforeAll(async () => {
    gate.assertAvailable();
    mailauth = await startMailauth();
    dovecot = await startDovecot(mailauth.passdb);
    await mailauth.addMailDomain(dovecot, { quotaRule: "*:storage=1G" });
    await mailauth.addUser("alice@example.org", "alice-Kestrel-Tr0mbone-42", { quotaRule: "*:storage=2G" });
    await mailauth.addUser("bob@example.org", "bob-Quasar-Lantern-77");
    await mailauth.setEnabled("bob@example.org", false);
  }, 30_000);

  afterAll(async () => {
    await dovecot?.stop();
    if (!mailauthClosed) await mailauth?.close();
  });

  describe("IMAP LOGIN", () => {
    test("lets alice in with her password", async () => {
      expect(
        await imapLogin(imapPort(), { user: "alice@example.org", password: "alice-Kestrel-Tr0mbone-42" }),
      ).toMatch(OK);
    });

    test("refuses a wrong password as an authentication failure", async () => {
      const reply = await imapLogin(imapPort(), {
        user: "alice@example.org",
        password: "wrong",
        ip: "198.51.100.11",
      });
      expect(reply).toMatch(FAILED);
    });

    test("refuses an unknown user the same way", async () => {
      const reply = await imapLogin(imapPort(), {
        user: "nobody@example.org",
        password: "x",
        ip: "198.51.100.12",
      });
      expect(reply).toMatch(FAILED);
    });

    test("refuses a disabled user even with the right password", async () => {
      const reply = await imapLogin(imapPort(), {
        user: "bob@example.org",
        password: "bob-Quasar-Lantern-77",
        ip: "198.51.100.13",
      });
      expect(reply).toMatch(FAILED);
    });
  });

  describe("IMAP AUTHENTICATE PLAIN", () => {
    test("lets alice in with her password", async () => {
      const reply = await imapLogin(imapPort(), {
        user: "alice@example.org",
        password: "alice-Kestrel-Tr0mbone-42",
        mechanism: "PLAIN",
      });
      expect(reply).toMatch(OK);
    });

    test("refuses a wrong password", async () => {
      const reply = await imapLogin(imapPort(), {
        user: "alice@example.org",
        password: "wrong",
        ip: "198.51.100.14",
        mechanism: "PLAIN",
      });
      expect(reply).toMatch(FAILED);
    });
  });

  // Without the guard passdb this panics Dovecot 2.3.19's auth process (oauth2_valid_token).
  test("refuses an empty password without crashing auth, and logins keep working", async () => {
    const ip = "198.51.100.15";
    const login = await imapLogin(imapPort(), { user: "alice@example.org", password: "", ip });
    const plain = await imapLogin(imapPort(), {
      user: "alice@example.org",
      password: "",
      ip: "198.51.100.16",
      mechanism: "PLAIN",
    });
    expect(login).toMatch(FAILED);
    expect(plain).toMatch(FAILED);
    expect(
      await imapLogin(imapPort(), { user: "alice@example.org", password: "alice-Kestrel-Tr0mbone-42" }),
    ).toMatch(OK);
    const logs = await (dovecot as Dovecot).logs();
    expect(logs).not.toMatch(/Panic|killed with signal/);
    // The guard answers before the oauth2 passdb: mailauth never sees the attempt.
    expect(await events(ip)).toEqual([]);
  });

  describe("POP3 USER/PASS", () => {
    test("lets alice in with her password", async () => {
      const reply = await pop3Login((dovecot as Dovecot).pop3Port, {
        user: "alice@example.org",
        password: "alice-Kestrel-Tr0mbone-42",
      });
      expect(reply).toBe("+OK Logged in.");
    });

    test("refuses a wrong password", async () => {
      const reply = await pop3Login((dovecot as Dovecot).pop3Port, {
        user: "alice@example.org",
        password: "wrong",
        ip: "198.51.100.17",
      });
      expect(reply).toBe("-ERR [AUTH] Authentication failed.");
    });
  });

  describe("weak passwords", () => {
    test("a correct weak password gets exactly a wrong password's answer, and the account is flagged", async () => {
      await mailauth?.addUser("dan@example.org", "azerty123");
      const weakButRight = await imapLogin(imapPort(), {
        user: "dan@example.org",
        password: "azerty123",
        ip: "198.51.100.31",
      });
      const wrong = await imapLogin(imapPort(), {
        user: "dan@example.org",
        password: "Not-his-Password-at-all-9",
        ip: "198.51.100.32",
      });
      expect(weakButRight).toMatch(FAILED);
      expect(weakButRight.replace(/^a\d+ /, "")).toBe(wrong.replace(/^a\d+ /, ""));
      expect(await events("198.51.100.31")).toEqual([expect.objectContaining({ outcome: "weak_password" })]);
      expect(await events("198.51.100.32")).toEqual([expect.objectContaining({ outcome: "wrong_password" })]);
      expect(await mailauth?.mustChange("dan@example.org")).toBe(true);
    });
  });

  describe("what mailauth records", () => {
    test("the IMAP client's address (ID x-originating-ip) and service imap", async () => {
      const ip = "198.51.100.7";
      expect(
        await imapLogin(imapPort(), { user: "alice@example.org", password: "alice-Kestrel-Tr0mbone-42", ip }),
      ).toMatch(OK);
      expect(await events(ip)).toEqual([
        expect.objectContaining({ ip, login: "alice@example.org", service: "imap" }),
      ]);
    });

    test("the POP3 client's address (XCLIENT) and service pop3", async () => {
      const ip = "198.51.100.8";
      const reply = await pop3Login((dovecot as Dovecot).pop3Port, {
        user: "alice@example.org",
        password: "alice-Kestrel-Tr0mbone-42",
        ip,
      });
      expect(reply).toBe("+OK Logged in.");
      expect(await events(ip)).toEqual([
        expect.objectContaining({ ip, login: "alice@example.org", service: "pop3" }),
      ]);
    });
  });

  describe("userdb fields", () => {
    test("doveadm auth login shows the fields mailauth returned with the grant", async () => {
      const result = await (dovecot as Dovecot).doveadm([
        "auth",
        "login",
        "alice@example.org",
        "alice-Kestrel-Tr0mbone-42",
      ]);
      expect(result.code).toBe(0);
      const { homeRoot, mailOwner } = dovecot as Dovecot;
      expect(result.stdout).toContain(`home=${homeRoot}/example.org/alice`);
      expect(result.stdout).toContain(`uid=${mailOwner.uid}`);
      expect(result.stdout).toContain("quota_rule=*:storage=2G");
    });

    test("doveadm user (no password) is answered by the static userdb template", async () => {
      const result = await (dovecot as Dovecot).doveadm(["user", "alice@example.org"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`home\t${(dovecot as Dovecot).homeRoot}/example.org/alice`);
      expect(result.stdout).toContain(`uid\t${(dovecot as Dovecot).mailOwner.uid}`);
    });
  });

  describe("when mailauth is in trouble", () => {
    test("a 503 from mailauth is a temporary failure, not a wrong password", async () => {
      (mailauth as Mailauth).failDatabase(true);
      try {
        const reply = await imapLogin(imapPort(), {
          user: "alice@example.org",
          password: "alice-Kestrel-Tr0mbone-42",
          ip: "198.51.100.18",
        });
        expect(reply).toMatch(UNAVAILABLE);
      } finally {
        (mailauth as Mailauth).failDatabase(false);
      }
      expect(
        await imapLogin(imapPort(), { user: "alice@example.org", password: "alice-Kestrel-Tr0mbone-42" }),
      ).toMatch(OK);
    });

    // Last in the file: it stops mailauth for good.
    test("mailauth down is a temporary failure too", async () => {
      await (mailauth as Mailauth).close();
      mailauthClosed = true;
      const reply = await imapLogin(imapPort(), {
        user: "alice@example.org",
        password: "alice-Kestrel-Tr0mbone-42",
        ip: "198.51.100.19",
      });
      expect(reply).toMatch(UNAVAILABLE);
    });
  });
});

describe.skipIf(gate.skip)("Dovecot with the wrong client secret", () => {
  test("turns mailauth's 401 into a temporary failure, so users are not told their password is wrong", async () => {
    gate.assertAvailable();
    const mailauth = await startMailauth();
    const dovecot = await startDovecot({
      tokenUrl: `${mailauth.url}/dovecot/token`,
      clientId: mailauth.clientId,
      clientSecret: `not-${mailauth.clientSecret}`,
    });
    try {
      await mailauth.addUser("carol@example.org", "carol-Velvet-Marmot-19", {
        ...dovecot.mailOwner,
        home: dovecot.homeRoot,
      });
      const reply = await imapLogin(dovecot.imapPort, {
        user: "carol@example.org",
        password: "carol-Velvet-Marmot-19",
      });
      expect(reply).toMatch(UNAVAILABLE);
    } finally {
      await dovecot.stop();
      await mailauth.close();
    }
  }, 20_000);
});
