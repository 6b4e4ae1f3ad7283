import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openEmbedded } from "../../src/db/database.js";
import { embeddedPaths } from "../../src/db/embedded-lock.js";
import { describeEachDatabase, freshDatabase, type TestDatabase } from "../helpers/databases.js";
import { freePort } from "../helpers/postgres-cluster.js";
import { mailauth, serve } from "./run-cli.js";

const STRONG = "Tr0ub4dor&3-horse-staple";
const ACTOR = `cli:${userInfo().username}`;
const SALT = Buffer.from("saltsalt");
const SSHA = `{SSHA}${Buffer.concat([createHash("sha1").update("Another-Strong-Passw0rd!").update(SALT).digest(), SALT]).toString("base64")}`;

interface Entry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

describe("mailauth audit list", () => {
  let dir: string;
  let env: Record<string, string>;
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  const run = (args: string[], stdin?: string) => mailauth(args, { env, stdin, cwd: dir });
  const entries = async () => {
    const result = await run(["audit", "list", "--json", "--limit", "1000"]);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as Entry[];
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mailauth-audit-"));
    const port = await freePort();
    env = {
      MAILAUTH_DATA_DIR: join(dir, "data"),
      MAILAUTH_LISTEN: `127.0.0.1:${port}`,
      MAILAUTH_BCRYPT_COST: "4",
    };
  });
  afterAll(async () => {
    if (server) {
      server.kill("SIGTERM");
      await new Promise((r) => server?.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("records the CLI's changes with the CLI's user as actor, and never a hash", async () => {
    expect((await run(["domain", "add", "example.org", "--uid", "5000", "--gid", "5000"])).code).toBe(0);
    expect((await run(["user", "add", "alice@example.org", "--password-stdin"], `${STRONG}\n`)).code).toBe(0);
    expect((await run(["user", "passwd", "alice@example.org", "--hash", SSHA])).code).toBe(0);
    expect((await run(["user", "disable", "alice@example.org"])).code).toBe(0);
    expect((await run(["ban", "add", "203.0.113.0/24", "--for", "1d", "--reason", "test"])).code).toBe(0);
    expect((await run(["allow", "add", "203.0.113.8", "--reason", "office"])).code).toBe(0);

    const log = await entries();
    expect(log.map((e) => `${e.action} ${e.target}`)).toEqual([
      "allow.add 203.0.113.8/32",
      "ban.add 203.0.113.0/24",
      "user.disable alice@example.org",
      "user.passwd alice@example.org",
      "user.add alice@example.org",
      "domain.upsert example.org",
    ]);
    expect(new Set(log.map((e) => e.actor))).toEqual(new Set([ACTOR]));
    const passwd = log.find((e) => e.action === "user.passwd");
    expect(passwd?.before).toMatchObject({ scheme: "BLF-CRYPT", must_change_password: false });
    expect(passwd?.after).toMatchObject({ scheme: "SSHA" });
    expect(JSON.stringify(log)).not.toMatch(/\$2[aby]\$|Tr0ub4dor|password_hash/);
    expect(JSON.stringify(log)).not.toContain(SSHA.slice(6, 20));

    const text = await run(["audit", "list", "--limit", "2"]);
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toMatch(/^ID\s+AT\s+ACTOR\s+ACTION\s+TARGET\s+CHANGE/);
    expect(text.stdout.trim().split("\n")).toHaveLength(3);
    expect(text.stderr.trim()).toBe(`more: add --before ${log[1]?.id}`);
    expect((await run(["audit", "list", "--limit", "0"])).code).toBe(2);
  }, 90_000);

  it("shows only what each change changed, and filters and pages like the admin API", async () => {
    const disable = await run(["audit", "list", "--action", "user.disable"]);
    expect(disable.code).toBe(0);
    const [, row] = disable.stdout.trim().split("\n");
    expect(row).toMatch(/user\.disable\s+alice@example\.org\s+enabled: true → false$/);
    const passwd = await run(["audit", "list", "--action", "user.passwd"]);
    expect(passwd.stdout).toMatch(/scheme: BLF-CRYPT → SSHA, password_changed_at: \S+Z → \S+Z/);
    expect(passwd.stdout).not.toContain("must_change_password");
    // A creation lists what it set (in jsonb's order of keys), leaving out what is empty.
    const ban = (await run(["audit", "list", "--action", "ban.add"])).stdout.trim().split("\n")[1];
    for (const field of ["network: 203.0.113.0/24", "reason: test", "source: manual", "level: 1"])
      expect(ban).toContain(field);
    expect(ban).toMatch(/expires_at: \S+Z/);

    const json = async (...filter: string[]) => {
      const result = await run(["audit", "list", "--json", ...filter]);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as Entry[]).map((e) => `${e.action} ${e.target}`);
    };
    const all = JSON.parse((await run(["audit", "list", "--json"])).stdout) as Entry[];
    expect(await json("--target", "alice@example.org")).toEqual([
      "user.disable alice@example.org",
      "user.passwd alice@example.org",
      "user.add alice@example.org",
    ]);
    expect(await json("--actor", ACTOR, "--limit", "2")).toEqual(
      all.slice(0, 2).map((e) => `${e.action} ${e.target}`),
    );
    expect(await json("--actor", "api:admin")).toEqual([]);
    expect(await json("--limit", "2", "--before", String(all[1]?.id))).toEqual(
      all.slice(2, 4).map((e) => `${e.action} ${e.target}`),
    );
    expect(await json("--since", "1h")).toHaveLength(all.length);
    expect(await json("--until", "1h")).toEqual([]);
    expect(await json("--since", all[2]?.at as string)).toEqual(
      all.slice(0, 3).map((e) => `${e.action} ${e.target}`),
    );
    for (const bad of [
      ["--since", "yesterday"],
      ["--before", "-1"],
      ["--limit", "1001"],
    ]) {
      const result = await run(["audit", "list", ...bad]);
      expect(result.code, bad.join(" ")).toBe(2);
      expect(result.stderr.trim().split("\n"), bad.join(" ")).toHaveLength(1);
    }
  }, 90_000);

  it("names the CLI's user, not the server's, when the command runs through the control socket", async () => {
    server = await serve(env, `http://127.0.0.1:${env.MAILAUTH_LISTEN?.split(":")[1]}`);
    expect((await run(["user", "enable", "alice@example.org"])).code).toBe(0);
    expect((await run(["ban", "remove", "203.0.113.0/24"])).code).toBe(0);
    const [lift, enable] = await entries();
    expect(lift).toMatchObject({ actor: ACTOR, action: "ban.remove", target: "203.0.113.0/24" });
    expect(enable).toMatchObject({
      actor: ACTOR,
      action: "user.enable",
      before: { enabled: false },
      after: { enabled: true },
    });
  }, 60_000);
});

describeEachDatabase("a CLI change whose audit entry cannot be written", (kind) => {
  let dir: string;
  let env: Record<string, string>;
  let postgres: TestDatabase | undefined;
  const run = (args: string[], stdin?: string) => mailauth(args, { env, stdin, cwd: dir });
  /** The database as the CLI leaves it, opened only between two commands (PGlite has one user). */
  const withDb = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    if (postgres) return fn(postgres.db);
    const db = await openEmbedded(embeddedPaths(env.MAILAUTH_DATA_DIR as string).database);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mailauth-audit-fail-"));
    env = { MAILAUTH_DATA_DIR: join(dir, "data"), MAILAUTH_BCRYPT_COST: "4" };
    if (kind === "postgres") {
      postgres = await freshDatabase("postgres", { migrated: false });
      env.MAILAUTH_DATABASE_URL = postgres.url as string;
    }
  });
  afterAll(async () => {
    await postgres?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is undone, and the CLI says so in one line", async () => {
    expect((await run(["domain", "add", "example.org"])).code).toBe(0);
    await withDb((db) =>
      db.exec("ALTER TABLE audit_log ADD CONSTRAINT audit_refused CHECK (false) NOT VALID"),
    );
    for (const [args, stdin] of [
      [["user", "add", "alice@example.org", "--password-stdin"], `${STRONG}\n`],
      [["domain", "add", "example.org", "--uid", "6000"]],
      [["domain", "remove", "example.org"]],
      [["ban", "add", "203.0.113.0/24", "--for", "1d", "--reason", "test"]],
    ] as [string[], string?][]) {
      const result = await run(args, stdin);
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^mailauth: the change was not made \(.+\); try again\n$/);
    }
    const state = await withDb(async (db) => ({
      users: await db.query("SELECT email FROM users"),
      domains: await db.query("SELECT name, uid FROM domains"),
      bans: await db.query("SELECT id FROM bans"),
      audit: await db.query("SELECT action FROM audit_log"),
    }));
    expect(state).toEqual({
      users: [],
      domains: [{ name: "example.org", uid: null }],
      bans: [],
      audit: [{ action: "domain.upsert" }],
    });
  }, 90_000);
});
