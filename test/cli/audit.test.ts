import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/postgres-cluster.js";
import { mailauth, serve } from "./run-cli.js";

const STRONG = "Tr0ub4dor&3-horse-staple";
const ACTOR = `cli:${userInfo().username}`;
const SALT = Buffer.from("saltsalt");
const SSHA = `{SSHA}${Buffer.concat([createHash("sha1").update("Another-Strong-Passw0rd!").update(SALT).digest(), SALT]).toString("base64")}`;

interface Entry {
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
    expect(text.stdout.split("\n")[0]).toMatch(/^AT\s+ACTOR\s+ACTION\s+TARGET/);
    expect(text.stdout.trim().split("\n")).toHaveLength(3);
    expect((await run(["audit", "list", "--limit", "0"])).code).toBe(2);
  });

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
  });
});
