import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExt, passdbs } from "../../src/cli/doctor.js";
import { startTestService, TEST_CLIENT_SECRET, type TestService } from "../helpers/service.js";
import { mailauth } from "./run-cli.js";

const ext = (url: string, secret: string) =>
  `# comment\ngrant_url = ${url}\nuse_grant_password = yes\nclient_id = dovecot\nclient_secret = ${secret}\n`;

const GUARD = "passdb {\n  driver = static\n  args = password=\n}\n";
const OAUTH2 = (file: string) => `passdb {\n  driver = oauth2\n  args = ${file}\n}\n`;

describe("mailauth doctor", () => {
  let service: TestService;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    service = await startTestService();
    dir = mkdtempSync(join(tmpdir(), "mailauth-doctor-"));
    const { hostname, port } = new URL(service.url);
    env = {
      MAILAUTH_DATA_DIR: service.server.deps.config.dataDir,
      MAILAUTH_LISTEN: `${hostname}:${port}`,
      MAILAUTH_DOVECOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
      // nft itself is covered by the firewall tests; here only that doctor runs it.
      MAILAUTH_NFT_BINARY: "true",
    };
  });
  afterAll(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("passes on a good setup: database through the running server, grant_url and secret", async () => {
    const file = join(dir, "good.conf.ext");
    writeFileSync(file, ext(`${service.url}/dovecot/token`, TEST_CLIENT_SECRET));
    const result = await mailauth(["doctor", "--dovecot-conf", file], { env });
    expect(result.stdout).not.toContain("FAIL");
    expect(result.stdout).toContain("ok   grant_url");
    expect(result.stdout).toContain("ok   client_id and client_secret");
    expect(result.stdout).toMatch(/ok {3}embedded database .* ready/);
    expect(result.code).toBe(0);
  });

  it("fails a wrong client secret with how to fix it", async () => {
    const file = join(dir, "wrong-secret.conf.ext");
    writeFileSync(file, ext(`${service.url}/dovecot/token`, "not-the-secret-0123456789"));
    const result = await mailauth(["doctor", "--dovecot-conf", file], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL client_id and client_secret in .*: mailauth refuses them/);
    expect(result.stdout).not.toContain("not-the-secret");
  });

  it("fails an unreachable grant_url", async () => {
    const file = join(dir, "unreachable.conf.ext");
    writeFileSync(file, ext("http://127.0.0.1:9/dovecot/token", TEST_CLIENT_SECRET));
    const result = await mailauth(["doctor", "--dovecot-conf", file], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL grant_url http:\/\/127.0.0.1:9\/dovecot\/token: unreachable/);
  });

  it("checks the guard passdb comes before the oauth2 one in a config directory", async () => {
    const file = join(dir, "dovecot-oauth2.conf.ext");
    writeFileSync(file, ext(`${service.url}/dovecot/token`, TEST_CLIENT_SECRET));
    for (const [name, text] of [
      ["guarded", GUARD + OAUTH2(file)],
      ["unguarded", OAUTH2(file) + GUARD],
    ] as const) {
      mkdirSync(join(dir, name, "conf.d"), { recursive: true });
      writeFileSync(join(dir, name, "dovecot.conf"), "!include conf.d/*.conf\n");
      writeFileSync(join(dir, name, "conf.d", "90-mailauth-auth.conf"), text);
    }
    const good = await mailauth(["doctor", "--dovecot-conf", join(dir, "guarded")], { env });
    expect(good.stdout).toContain("ok   Dovecot guard passdb");
    expect(good.code).toBe(0);
    const bad = await mailauth(["doctor", "--dovecot-conf", join(dir, "unguarded", "dovecot.conf")], { env });
    expect(bad.stdout).toContain("FAIL Dovecot guard passdb");
    expect(bad.code).toBe(1);
  });

  it("fails a database whose migrations are pending", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "mailauth-doctor-db-"));
    try {
      const result = await mailauth(["doctor"], { env: { ...env, MAILAUTH_DATA_DIR: fresh } });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("migrations pending: run mailauth migrate");
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});

describe("Dovecot config parsing", () => {
  it("reads .ext settings and skips comments", () => {
    const settings = parseExt("# grant_url = no\ngrant_url = http://x/t\nclient_id=dovecot\n");
    expect(settings.get("grant_url")).toBe("http://x/t");
    expect(settings.get("client_id")).toBe("dovecot");
  });
  it("lists passdb blocks in order, commented ones left out", () => {
    const blocks = passdbs(`#passdb {\n# driver = pam\n#}\n${GUARD}${OAUTH2("/etc/x.ext")}`);
    expect(blocks.map((b) => b.get("driver"))).toEqual(["static", "oauth2"]);
  });
});
