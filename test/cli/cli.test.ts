import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { commands } from "../../src/cli/registry.js";
import { embeddedPaths } from "../../src/db/embedded-lock.js";
import { freshDatabase, migrations, type TestDatabase } from "../helpers/databases.js";
import { rememberSecret } from "../helpers/log-audit.js";
import { freePort } from "../helpers/postgres-cluster.js";
import { mailauth, serve } from "./run-cli.js";

const STRONG = "Tr0ub4dor&3-horse-staple";
// Made with `openssl passwd -6 -salt ...`.
const LOU = "Lou-imported-bare-hash-1";
const LOU_HASH =
  "$6$Lou5alt$c9oHXmX0WrIri.Bz7f1UWXxxqRyGzMyUfbOUBeHn4GT06.0H7S5Fheukh7myCQXlpG34Bst6H/mEmSZDfPrtG0";
const ROSE = "Rose-pass-with-extras-2";
const ROSE_HASH =
  "$6$Rose5alt$1x.bVDJlbFtHe.RtG49n1kaVscvs7UWg4gdQ3lXLF0PuSl0taNE6FBuaMtVWfIGzaK.xQIjt.vhMptGvbZjQq0";
/** A bare traditional DES hash of it (glibc crypt, salt k7): DES reads its first 8 bytes only. */
const PIERRE = "Correct-Horse-Battery-9";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "mailauth-cli-"));
}

describe("mailauth CLI basics", () => {
  const env = { MAILAUTH_DATA_DIR: "/nonexistent/never-opened" };

  it.each(commands.map((c) => c.path.join(" ")))("prints help for '%s' and exits 0", async (path) => {
    const result = await mailauth([...path.split(" "), "--help"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`usage: mailauth ${path}`);
  });

  it("lists the commands with no arguments", async () => {
    const result = await mailauth([], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("user import");
  });

  it("exits 2 with one line for an unknown command or option", async () => {
    const unknown = await mailauth(["user", "frobnicate"], { env });
    expect(unknown).toMatchObject({ code: 2, stdout: "" });
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    const option = await mailauth(["user", "list", "--colour"], { env });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("--colour");
  });

  it("names the setting that is wrong", async () => {
    const result = await mailauth(["user", "list"], { env: { MAILAUTH_BCRYPT_COST: "99" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("MAILAUTH_BCRYPT_COST must be a whole number from 4 to 15");
  });
});

describe("mailauth start-up failures name the setting to fix", () => {
  it("says MAILAUTH_DATABASE_URL cannot be reached, without its password, for serve and migrate", async () => {
    rememberSecret("Db-Secret-42", "Query-Secret-43");
    const env = {
      MAILAUTH_DATABASE_URL: "postgres://mailauth:Db-Secret-42@127.0.0.1:1/mail?password=Query-Secret-43",
    };
    for (const command of ["serve", "migrate"]) {
      const result = await mailauth([command], { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "mailauth: cannot reach the database at MAILAUTH_DATABASE_URL (postgres://mailauth@127.0.0.1:1/mail): connect ECONNREFUSED 127.0.0.1:1\n",
      );
      expect(result.stdout + result.stderr).not.toMatch(/Secret-4[23]/);
    }
  });

  it("says MAILAUTH_LISTEN's address is in use, and lets go of the database", async () => {
    const dir = tempDir();
    const taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, "127.0.0.1", ok));
    const { port } = taken.address() as AddressInfo;
    try {
      const env = { MAILAUTH_DATA_DIR: join(dir, "data"), MAILAUTH_LISTEN: `127.0.0.1:${port}` };
      const result = await mailauth(["serve"], { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `mailauth: cannot listen on MAILAUTH_LISTEN=127.0.0.1:${port}: the address is in use`,
      );
      expect(existsSync(embeddedPaths(env.MAILAUTH_DATA_DIR).lock)).toBe(false);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("mailauth CLI on the embedded database with no server running", () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = tempDir();
    env = { MAILAUTH_DATA_DIR: join(dir, "data"), MAILAUTH_BCRYPT_COST: "4" };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs two commands started together one after the other, both succeeding", async () => {
    // Made first: creating the database takes longer than a command.
    expect((await mailauth(["migrate"], { env })).code).toBe(0);
    const [one, two] = await Promise.all(
      ["one@example.org", "two@example.org"].map((email) =>
        mailauth(["user", "add", email, "--password-stdin"], { env, stdin: STRONG }),
      ),
    );
    expect(one).toMatchObject({ code: 0, stdout: "added one@example.org\n", stderr: "" });
    expect(two).toMatchObject({ code: 0, stdout: "added two@example.org\n", stderr: "" });
    const listed = JSON.parse((await mailauth(["user", "list", "--json"], { env })).stdout) as {
      email: string;
    }[];
    expect(listed.map((u) => u.email)).toEqual(["one@example.org", "two@example.org"]);
  });

  it("waits for a live holder to let go, and gives up after about 10 s with who holds it", async () => {
    const lock = embeddedPaths(env.MAILAUTH_DATA_DIR ?? "").lock;
    // This test's own process stands for another mailauth holding the database.
    writeFileSync(lock, String(process.pid));
    const waiting = mailauth(["user", "list"], { env });
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(lock);
    expect((await waiting).code).toBe(0);

    // A lock left by a process that died is taken over at once.
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.once("exit", r));
    writeFileSync(lock, String(dead.pid));
    expect((await mailauth(["user", "list"], { env })).code).toBe(0);

    writeFileSync(lock, String(process.pid));
    const started = Date.now();
    const refused = await mailauth(["user", "list"], { env });
    rmSync(lock);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    expect(refused).toMatchObject({
      code: 1,
      stderr: `mailauth: the embedded database is open in another mailauth process (pid ${process.pid})\n`,
    });
  }, 60_000);
});

describe("mailauth CLI on the embedded database, while mailauth serve holds it", () => {
  let dir: string;
  let env: Record<string, string>;
  let server: Awaited<ReturnType<typeof serve>>;
  const run = (args: string[], stdin?: string) => mailauth(args, { env, stdin, cwd: dir });
  /** A Dovecot password-grant login against the running server. */
  const login = (username: string, password: string) => {
    const secret = readFileSync(join(dir, "data", "dovecot-client-secret"), "utf8").trim();
    const body = new URLSearchParams({
      grant_type: "password",
      username,
      password,
      client_id: "dovecot",
      client_secret: secret,
    });
    return fetch(`http://${env.MAILAUTH_LISTEN}/dovecot/token`, { method: "POST", body });
  };

  beforeAll(async () => {
    dir = tempDir();
    const port = await freePort();
    env = {
      MAILAUTH_DATA_DIR: join(dir, "data"),
      MAILAUTH_LISTEN: `127.0.0.1:${port}`,
      MAILAUTH_BCRYPT_COST: "4",
    };
    // Before the server starts, the CLI opens the database itself...
    const before = await run(["user", "add", "early@example.org", "--password-stdin"], `${STRONG}\n`);
    expect(before).toMatchObject({ code: 0, stdout: "added early@example.org\n" });
    // ...then the server takes it and the CLI goes through the server's control socket.
    server = await serve(env, `http://127.0.0.1:${port}`);
  });
  afterAll(async () => {
    server?.kill("SIGTERM");
    await new Promise((r) => server?.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("adds, shows, lists, disables, enables and deletes accounts", async () => {
    expect(
      await run([
        "domain",
        "add",
        "example.org",
        "--home",
        "/var/vmail/%d/%n",
        "--uid",
        "5000",
        "--gid",
        "5000",
      ]),
    ).toMatchObject({ code: 0 });
    expect(
      await run(
        ["user", "add", "Alice@Example.org", "--password-stdin", "--quota-rule", "*:storage=2G"],
        STRONG,
      ),
    ).toMatchObject({
      code: 0,
      stdout: "added alice@example.org\n",
    });
    const shown = JSON.parse((await run(["user", "show", "alice@example.org", "--json"])).stdout);
    expect(shown).toMatchObject({
      email: "alice@example.org",
      enabled: true,
      scheme: "BLF-CRYPT",
      quota_rule: "*:storage=2G",
      uid: null,
    });
    expect(JSON.stringify(shown)).not.toMatch(/\$2[aby]\$/);
    // What the account gets, and from where: the same a login hands Dovecot.
    expect(shown.effective).toEqual({
      home: { value: "/var/vmail/example.org/alice", from: "domain" },
      mail: { value: "maildir:~/Maildir", from: "default" },
      uid: { value: 5000, from: "domain" },
      gid: { value: 5000, from: "domain" },
      quota_rule: { value: "*:storage=2G", from: "account" },
    });
    const granted = await (await login("alice@example.org", STRONG)).json();
    for (const [key, field] of Object.entries(shown.effective as Record<string, { value: unknown }>))
      expect(granted[key]).toBe(String(field.value));
    const text = (await run(["user", "show", "alice@example.org"])).stdout;
    expect(text).toContain("home:                 /var/vmail/example.org/alice (domain)\n");
    expect(text).toContain("mail:                 maildir:~/Maildir (default, MAILAUTH_DEFAULT_MAIL)\n");
    expect(text).toContain("quota_rule:           *:storage=2G (account)\n");
    expect(text).not.toContain("inherited");

    expect((await run(["user", "disable", "alice@example.org"])).code).toBe(0);
    const listed = JSON.parse((await run(["user", "list", "--json"])).stdout) as {
      email: string;
      enabled: boolean;
    }[];
    expect(listed.map((u) => [u.email, u.enabled])).toEqual([
      ["alice@example.org", false],
      ["early@example.org", true],
    ]);
    expect((await run(["user", "enable", "alice@example.org"])).code).toBe(0);
    expect(await run(["user", "add", "alice@example.org", "--password-stdin"], STRONG)).toMatchObject({
      code: 1,
      stderr: "mailauth: alice@example.org already exists\n",
    });
    expect((await run(["domain", "remove", "example.org"])).stderr).toContain("still has accounts");
    expect((await run(["user", "delete", "alice@example.org"])).code).toBe(0);
    expect(await run(["user", "show", "alice@example.org"])).toMatchObject({
      code: 1,
      stderr: "mailauth: no account alice@example.org\n",
    });
  });

  it("resets a password without ever printing it, and the new one logs in", async () => {
    const reset = await run(
      ["user", "passwd", "early@example.org", "--password-stdin"],
      "An0ther-long-passphrase\n",
    );
    expect(reset).toMatchObject({ code: 0, stdout: "password of early@example.org reset\n" });
    expect(reset.stdout + reset.stderr).not.toContain("An0ther");
    const url = `http://${env.MAILAUTH_LISTEN}/dovecot/token`;
    const secret = (await import("node:fs"))
      .readFileSync(join(dir, "data", "dovecot-client-secret"), "utf8")
      .trim();
    const body = new URLSearchParams({
      grant_type: "password",
      username: "early@example.org",
      password: "An0ther-long-passphrase",
      client_id: "dovecot",
      client_secret: secret,
    });
    expect((await fetch(url, { method: "POST", body })).status).toBe(200);
  });

  it("refuses a weak new password in plain words, takes it with --allow-weak, and lists the account as weak", async () => {
    const refused = await run(["user", "add", "weak@example.org", "--password-stdin"], "soleil2024\n");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^mailauth: the password is too weak: .+\n$/);
    expect(refused.stderr).not.toContain("soleil2024");
    expect(
      await run(["user", "add", "weak@example.org", "--password-stdin", "--allow-weak"], "soleil2024\n"),
    ).toMatchObject({
      code: 0,
      stdout: "added weak@example.org (weak password: flagged for a change)\n",
    });
    const weak = JSON.parse((await run(["user", "list", "--weak", "--json"])).stdout) as { email: string }[];
    expect(weak.map((u) => u.email)).toEqual(["weak@example.org"]);
    expect((await run(["user", "passwd", "weak@example.org", "--password-stdin"], `${STRONG}\n`)).code).toBe(
      0,
    );
    expect(JSON.parse((await run(["user", "list", "--weak", "--json"])).stdout)).toEqual([]);
  });

  it("bans, lists, lifts and allowlists addresses, and shows what it knows of one", async () => {
    expect(await run(["ban", "add", "203.0.113.0/24", "--for", "2h", "--reason", "scanner"])).toMatchObject({
      code: 0,
    });
    expect(await run(["ban", "add", "198.51.100.9", "--permanent", "--reason", "bot"])).toMatchObject({
      code: 0,
      stdout: "banned 198.51.100.9/32 permanently\n",
    });
    expect((await run(["ban", "add", "198.51.100.10", "--reason", "x"])).code).toBe(2);
    expect((await run(["ban", "add", "127.0.0.1", "--permanent", "--reason", "oops"])).stderr).toContain(
      "is allowlisted (loopback)",
    );
    const bans = JSON.parse((await run(["ban", "list", "--json"])).stdout) as {
      network: string;
      expires_at: string | null;
      review_at: string | null;
    }[];
    expect(bans.map((b) => b.network).sort()).toEqual(["198.51.100.9/32", "203.0.113.0/24"]);
    expect(bans.find((b) => b.network === "198.51.100.9/32")?.review_at).not.toBeNull();
    const shown = JSON.parse((await run(["ip", "show", "203.0.113.7", "--json"])).stdout);
    expect(shown).toMatchObject({
      ip: "203.0.113.7",
      banned: { network: "203.0.113.0/24", reason: "scanner" },
    });
    expect(await run(["allow", "add", "203.0.113.7", "--reason", "the office"])).toMatchObject({
      code: 0,
      stdout: "allowed 203.0.113.7/32\n",
    });
    expect(JSON.parse((await run(["ip", "show", "203.0.113.7", "--json"])).stdout)).toMatchObject({
      banned: null,
      allowed: { reason: "the office" },
    });
    expect((await run(["allow", "remove", "127.0.0.0/8"])).stderr).toContain("is built in");
    expect(await run(["ban", "remove", "198.51.100.9"])).toMatchObject({
      code: 0,
      stdout: "lifted 198.51.100.9/32\n",
    });
    expect((await run(["allow", "list"])).stdout).toContain("the office");
  });

  it("adds an account with --hash kept as it is, and refuses a malformed hash without quoting it", async () => {
    expect(
      await run(["user", "add", "hashed@example.org", "--hash", `{SHA512-CRYPT}${LOU_HASH}`]),
    ).toMatchObject({
      code: 0,
      stdout: "added hashed@example.org\n",
    });
    const shown = JSON.parse((await run(["user", "show", "hashed@example.org", "--json"])).stdout);
    expect(shown).toMatchObject({ scheme: "SHA512-CRYPT", must_change_password: false });
    expect((await login("hashed@example.org", LOU)).status).toBe(200);

    for (const bad of ["{SHA512-CRYPT}$6$Bad5alt$Hash-Secret-0", "{NOSUCH}Hash-Secret-1", "Hash-Secret-2"]) {
      const refused = await run(["user", "add", "badhash@example.org", "--hash", bad]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^mailauth: the hash cannot be used: .+\n$/);
      expect(refused.stdout + refused.stderr).not.toContain("Hash-Secret");
    }
    expect((await run(["user", "show", "badhash@example.org"])).code).toBe(1);
  });

  it("refuses to read a password from a pipe without --password-stdin", async () => {
    const result = await run(["user", "add", "nopass@example.org"]);
    expect(result).toMatchObject({ code: 1 });
    expect(result.stderr).toContain("--password-stdin");
  });

  it("imports a passwd-file, reports what it refused and does not duplicate on a re-run", async () => {
    const file = join(dir, "passwd");
    const secrets = ["TopSecret-Pass-123", "Uid-Secret-99", "Extra-Secret-77", LOU, ROSE, PIERRE];
    rememberSecret(...secrets);
    writeFileSync(
      file,
      [
        "# from the old server",
        "jean.dupont@exemple.fr:{SSHA512}bRfKhykPUDNsTx7C2yAYyX46nQGyDk4sAFFLxMhtLbR4LVoTwEA8Wks2xs1MuM1VkxatFYjLWGHRZ21U9LiouIABAxI=:5000:5000::/var/vmail/exemple.fr/jean::userdb_quota_rule=*:storage=1G",
        "marie@exemple.fr:{SHA512-CRYPT}$6$DpDQaUreZCOfqmUv$arxhrzSBL5vUljVk3fcjC/7dt.aMV3VCpDJ71LifvmB62LTkpZLwLsWHuWptmA/gXgnMmZTLqF0Z863YSmFxz/",
        "broken@exemple.fr:{NOSUCH}abc",
        "not-an-address:{SSHA}abc",
        // A space where the ':' belongs: the whole line is the user field.
        "zed@example.org {PLAIN}TopSecret-Pass-123",
        "tom@exemple.fr:{SSHA}abc:Uid-Secret-99",
        // Logins Dovecot limited or sent elsewhere are not imported as open accounts.
        "ann@exemple.fr:{PLAIN}TopSecret-Pass-123::::::allow_nets=10.0.0.0/8",
        "paul@exemple.fr:{PLAIN}TopSecret-Pass-123::::::proxy=y host=10.1.2.3 nodelay",
        "nina@exemple.fr:{PLAIN}TopSecret-Pass-123::::::nologin reason=moved",
        // A bare hash is {CRYPT} to Dovecot's passwd-file.
        `lou@exemple.fr:${LOU_HASH}`,
        `rose@exemple.fr:{SHA512-CRYPT}${ROSE_HASH}::::::nodelay userdb_acl=x Extra-Secret-77 userdb_mail=maildir:~/Mail`,
        // Bare hashes, as a passwd-file made from /etc/shadow holds them: DES verifies, yescrypt not.
        "pierre@exemple.fr:k7fm5bsAle34k:5000:5000",
        "luc@exemple.fr:$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7",
      ].join("\n"),
    );
    const first = await run(["user", "import", "passwd"]);
    expect(first.code).toBe(1);
    expect(first.stdout).toBe("imported 5, already present 0, refused 8\n");
    expect(first.stderr).toContain("line 4: broken@exemple.fr:");
    expect(first.stderr).toContain("line 5: the user field is not an address of the form local@domain\n");
    expect(first.stderr).toContain(
      "line 6: the user field has an invalid domain name (it holds a space: is the ':' after the address missing?)\n",
    );
    expect(first.stderr).toContain("line 7: tom@exemple.fr: the uid field is not a number\n");
    expect(first.stderr).toContain(
      "line 8: ann@exemple.fr: its passdb field allow_nets limits logins to some networks, which mailauth cannot do; not imported\n",
    );
    expect(first.stderr).toContain(
      "line 9: paul@exemple.fr: its passdb field proxy sends logins to another server",
    );
    expect(first.stderr).toContain("line 10: nina@exemple.fr: its passdb field nologin refuses logins");
    expect(first.stderr).toContain(
      "line 12: rose@exemple.fr: extra fields mailauth does not use, dropped: nodelay, userdb_acl, (a field that is not key=value)\n",
    );
    expect(first.stderr).toContain(
      "line 14: luc@exemple.fr: the hash cannot be used: yescrypt ($y$) is not supported",
    );
    for (const secret of secrets) expect(first.stdout + first.stderr).not.toContain(secret);
    for (const refused of ["ann", "paul", "nina", "tom"]) {
      expect((await run(["user", "show", `${refused}@exemple.fr`])).code).toBe(1);
    }

    const second = await run(["user", "import", "passwd"]);
    expect(second.stdout).toBe("imported 0, already present 5, refused 8\n");
    const jean = JSON.parse((await run(["user", "show", "jean.dupont@exemple.fr", "--json"])).stdout);
    expect(jean).toMatchObject({
      scheme: "SSHA512",
      uid: 5000,
      home: "/var/vmail/exemple.fr/jean",
      quota_rule: "*:storage=1G",
    });
    expect(JSON.parse((await run(["user", "show", "rose@exemple.fr", "--json"])).stdout)).toMatchObject({
      mail: "maildir:~/Mail",
    });
    // What show says and what a login does agree.
    expect(JSON.parse((await run(["user", "show", "lou@exemple.fr", "--json"])).stdout).scheme).toBe("CRYPT");
    expect((await login("lou@exemple.fr", LOU)).status).toBe(200);
    expect((await login("rose@exemple.fr", ROSE)).status).toBe(200);
    // A bare DES hash, as in a passwd-file made from /etc/shadow: {CRYPT}, and it verifies.
    expect(JSON.parse((await run(["user", "show", "pierre@exemple.fr", "--json"])).stdout).scheme).toBe(
      "CRYPT",
    );
    expect((await login("pierre@exemple.fr", PIERRE)).status).toBe(200);
  });

  it("says which process holds the database when the control socket is gone", async () => {
    // A second server on the same data dir must not open the database.
    const other = await mailauth(["serve"], { env: { ...env, MAILAUTH_LISTEN: "127.0.0.1:0" }, cwd: dir });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(
      `the embedded database is open in another mailauth process (pid ${server.pid})`,
    );
    expect(existsSync(join(dir, "data", "control.sock"))).toBe(true);
  });
});

describe.skipIf(!inject("postgresUrl"))("mailauth CLI on PostgreSQL", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase("postgres", { migrated: false });
  });
  afterAll(() => database.drop());

  it("migrates, then manages accounts directly on the database", async () => {
    const env = { MAILAUTH_DATABASE_URL: database.url ?? "", MAILAUTH_BCRYPT_COST: "4" };
    const n = migrations.length;
    expect(await mailauth(["migrate"], { env })).toMatchObject({
      code: 0,
      stdout: `database schema at version ${n} (${n} migrations applied)\n`,
    });
    expect(
      (await mailauth(["user", "add", "pg@example.org", "--password-stdin"], { env, stdin: STRONG })).code,
    ).toBe(0);
    const [row] = await database.db.query<{ email: string }>("SELECT email FROM users");
    expect(row?.email).toBe("pg@example.org");

    const missing = new URL(database.url ?? "");
    missing.pathname = "/no_such_database_here";
    const refused = await mailauth(["migrate"], { env: { MAILAUTH_DATABASE_URL: missing.toString() } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^mailauth: the database at MAILAUTH_DATABASE_URL \(.+\/no_such_database_here\) refused the connection: /,
    );
    if (missing.password) expect(refused.stderr).not.toContain(missing.password);
  });
});
