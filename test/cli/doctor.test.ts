import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dovecotVersion } from "../../src/cli/doctor.js";
import {
  type Include,
  oauth2Settings,
  parseConf,
  parseVersion,
  passdbs,
  versionBefore,
} from "../../src/cli/dovecot-conf.js";
import { startTestService, TEST_CLIENT_SECRET, type TestService } from "../helpers/service.js";
import { mailauth } from "./run-cli.js";

const ext = (url: string, secret: string) =>
  `# comment\ngrant_url = ${url}\nuse_grant_password = yes\nclient_id = dovecot\nclient_secret = ${secret}\n`;

const EXAMPLES = join(import.meta.dirname, "../../examples/dovecot");

/**
 * A copy of examples/dovecot/<version> as an operator would fill it in: the client secret and
 * grant_url's address replaced, and `edit` applied to conf.d/90-mailauth-auth.conf.
 */
function example(
  into: string,
  version: "2.3" | "2.4",
  url: string,
  secret: string,
  edit: (auth: string) => string = (auth) => auth,
): string {
  cpSync(join(EXAMPLES, version), into, { recursive: true });
  const ext = join(into, "dovecot-oauth2.conf.ext");
  writeFileSync(
    ext,
    readFileSync(ext, "utf8")
      .replace("@CLIENT_SECRET@", secret)
      .replace("http://127.0.0.1:8080/dovecot/token", `${url}/dovecot/token`),
  );
  const auth = join(into, "conf.d", "90-mailauth-auth.conf");
  writeFileSync(auth, edit(readFileSync(auth, "utf8")));
  return into;
}

/**
 * A stand-in for nft (the real one is the firewall tests' business): it runs and lists tables;
 * `table` is what it says the configured table is (absent, or someone else's).
 */
function fakeNft(dir: string, table: "absent" | "foreign"): string {
  const file = join(dir, `nft-${table}.sh`);
  const foreign = JSON.stringify({
    nftables: [
      { table: { family: "inet", name: "mailauth", handle: 1 } },
      { chain: { family: "inet", table: "mailauth", name: "input", handle: 2 } },
      { chain: { family: "inet", table: "mailauth", name: "forward", handle: 3 } },
    ],
  });
  writeFileSync(
    file,
    [
      'case "$*" in',
      '  --version) echo "nftables v1.0.6 (fake)" ;;',
      '  "list tables") ;;',
      table === "absent"
        ? '  *) echo "Error: No such file or directory" >&2; exit 1 ;;'
        : `  -j*) echo '${foreign}' ;;\n  *) printf 'table inet mailauth {\\n}\\n' ;;`,
      "esac",
      "",
    ].join("\n"),
  );
  return `sh ${file}`;
}

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
      MAILAUTH_NFT_BINARY: fakeNft(dir, "absent"),
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

  it.skipIf(process.getuid?.() !== 0)(
    "fails, as root, an nft table of mailauth's name that is someone else's",
    async () => {
      const absent = await mailauth(["doctor"], { env });
      expect(absent.stdout).toContain(
        "ok   nft table inet mailauth: absent (the first firewall sync creates it)",
      );
      const foreign = await mailauth(["doctor"], {
        env: { ...env, MAILAUTH_NFT_BINARY: fakeNft(dir, "foreign") },
      });
      expect(foreign.stdout).toMatch(
        /^FAIL nft table inet mailauth: .*is not mailauth's.*MAILAUTH_NFT_TABLE/m,
      );
      expect(foreign.code).toBe(1);
    },
  );

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

describe("mailauth doctor on the example Dovecot configs", () => {
  let v23: TestService;
  let v24: TestService;
  let dir: string;
  let env: Record<string, string>;
  let copies = 0;
  const doctor = (args: string[]) => mailauth(["doctor", ...args], { env });
  const copy = (
    version: "2.3" | "2.4",
    service: TestService,
    secret = TEST_CLIENT_SECRET,
    edit?: (auth: string) => string,
  ) => example(join(dir, `copy-${++copies}`), version, service.url, secret, edit);

  beforeAll(async () => {
    [v23, v24] = await Promise.all([
      startTestService(),
      startTestService({ env: { MAILAUTH_DOVECOT_FAILURE_STYLE: "dovecot24" } }),
    ]);
    dir = mkdtempSync(join(tmpdir(), "mailauth-doctor-examples-"));
    const { hostname, port } = new URL(v23.url);
    env = {
      MAILAUTH_DATA_DIR: v23.server.deps.config.dataDir,
      MAILAUTH_LISTEN: `${hostname}:${port}`,
      MAILAUTH_NFT_BINARY: fakeNft(dir, "absent"),
    };
  });
  afterAll(async () => {
    await Promise.all([v23.close(), v24.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("passes the 2.3 example: guard before the oauth2 passdb, secret accepted, 2.3 failure style", async () => {
    const result = await doctor(["--dovecot-conf", copy("2.3", v23)]);
    expect(result.stdout).not.toContain("FAIL");
    expect(result.stdout).toContain("ok   Dovecot 2.3 (from the config's syntax");
    expect(result.stdout).toMatch(/^ok {3}Dovecot guard passdb against empty passwords$/m);
    expect(result.stdout).toMatch(/ok {3}client_id and client_secret in .*copy-\d+\/dovecot-oauth2.conf.ext/);
    expect(result.stdout).toContain("ok   mailauth's failure style dovecot23 for Dovecot 2.3");
    expect(result.code).toBe(0);
  });

  it("passes the 2.4 example against mailauth on the dovecot24 failure style, with no guard", async () => {
    const result = await doctor(["--dovecot-conf", copy("2.4", v24)]);
    expect(result.stdout).not.toContain("FAIL");
    expect(result.stdout).toContain("ok   Dovecot 2.4 (from the config's syntax");
    expect(result.stdout).toContain("ok   Dovecot guard passdb against empty passwords: not needed");
    expect(result.stdout).toContain("ok   active_attribute and active_value");
    expect(result.stdout).toContain("ok   grant_url");
    expect(result.stdout).toContain("ok   client_id and client_secret");
    expect(result.stdout).toContain("ok   mailauth's failure style dovecot24 for Dovecot 2.4");
    expect(result.code).toBe(0);
  });

  it("fails the 2.4 example against mailauth on the default failure style, saying what to set", async () => {
    const result = await doctor(["--dovecot-conf", copy("2.4", v23)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /FAIL mailauth's failure style dovecot23 for Dovecot 2.4: .*temporary failure.*MAILAUTH_DOVECOT_FAILURE_STYLE=dovecot24/,
    );
  });

  it("fails either example without its oauth2 passdb", async () => {
    const without23 = copy("2.3", v23, TEST_CLIENT_SECRET, (auth) =>
      auth.replace(/passdb \{\n {2}driver = oauth2[^}]*\}\n/, ""),
    );
    const without24 = copy("2.4", v24, TEST_CLIENT_SECRET, (auth) =>
      auth.replace(/passdb oauth2 \{[^}]*\}\n/, ""),
    );
    for (const conf of [without23, without24]) {
      const result = await doctor(["--dovecot-conf", conf]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`FAIL Dovecot config in ${conf}: no oauth2 passdb`);
    }
  });

  it("fails either example with a wrong client secret", async () => {
    for (const version of ["2.3", "2.4"] as const) {
      const result = await doctor(["--dovecot-conf", copy(version, v24, "not-the-secret-0123456789")]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/FAIL client_id and client_secret in .*: mailauth refuses them/);
      expect(result.stdout).not.toContain("not-the-secret");
    }
  });

  it("fails the 2.3 example without its guard, unless told Dovecot is 2.3.21 or later", async () => {
    const unguarded = copy("2.3", v23, TEST_CLIENT_SECRET, (auth) =>
      auth.replace(/passdb \{\n {2}driver = static[^}]*\}\n/, ""),
    );
    const old = await doctor(["--dovecot-conf", unguarded]);
    expect(old.code).toBe(1);
    expect(old.stdout).toContain(
      "FAIL Dovecot guard passdb against empty passwords: add the driver = static",
    );
    const fixed = await doctor(["--dovecot-conf", unguarded, "--dovecot-version", "2.3.21"]);
    expect(fixed.stdout).toContain("ok   Dovecot 2.3.21 (--dovecot-version)");
    expect(fixed.stdout).toContain("ok   Dovecot guard passdb against empty passwords: not needed");
    expect(fixed.code).toBe(0);
  });

  it("fails a 2.4 example that lost active_attribute, which makes Dovecot read active", async () => {
    const conf = copy("2.4", v24);
    const ext = join(conf, "dovecot-oauth2.conf.ext");
    writeFileSync(ext, readFileSync(ext, "utf8").replace(/\n\s*active_attribute = active/, ""));
    const result = await doctor(["--dovecot-conf", conf]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /FAIL active_attribute and active_value in .*: set active_attribute = active/,
    );
  });

  it("fails a config whose syntax is not the given Dovecot version's, and refuses a malformed version", async () => {
    const result = await doctor(["--dovecot-conf", copy("2.3", v23), "--dovecot-version", "2.4.1"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "FAIL Dovecot 2.4.1 (--dovecot-version): the config is in Dovecot 2.3 syntax (the config's syntax): use examples/dovecot/2.4",
    );
    const bad = await doctor(["--dovecot-conf", dir, "--dovecot-version", "latest"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--dovecot-version takes a version like 2.3.21");
  });

  it("tells the version of a lone .ext file from its syntax", async () => {
    const conf = copy("2.4", v24);
    const result = await doctor(["--dovecot-conf", join(conf, "dovecot-oauth2.conf.ext")]);
    expect(result.stdout).toContain("ok   Dovecot 2.4 (from the .ext file's syntax");
    expect(result.stdout).toContain("ok   mailauth's failure style dovecot24 for Dovecot 2.4");
    expect(result.code).toBe(0);
  });
});

describe("Dovecot config parsing", () => {
  it("reads settings and skips comments", () => {
    const conf = parseConf("# grant_url = no\ngrant_url = http://x/t\nclient_id=dovecot # the default\n");
    expect(conf.settings.get("grant_url")).toBe("http://x/t");
    expect(conf.settings.get("client_id")).toBe("dovecot");
  });
  it("lists 2.3 passdb blocks in order, commented ones left out", () => {
    const list = passdbs(parseConf(`#passdb {\n# driver = pam\n#}\n${GUARD}${OAUTH2("/etc/x.ext")}`));
    expect(list.map((p) => p.driver)).toEqual(["static", "oauth2"]);
    expect(list[1]?.section.settings.get("args")).toBe("/etc/x.ext");
  });
  it("reads 2.4 named passdbs and the oauth2 settings they include", () => {
    const files: Record<string, string> = {
      "/etc/dovecot/oauth2.ext":
        "oauth2 {\n  grant_url = http://x/t\n  fields {\n    userdb_home = %{oauth2:home}\n  }\n  client_id = dovecot\n}\n",
    };
    const include: Include = (path) =>
      files[path] === undefined ? [] : [{ file: path, text: files[path], include }];
    const conf = parseConf(
      "userdb prefetch { }\npassdb static {\n  password = x\n}\npassdb oauth2 {\n  mechanisms_filter = plain login\n  !include /etc/dovecot/oauth2.ext\n}\n",
      "/etc/dovecot/dovecot.conf",
      include,
    );
    const list = passdbs(conf);
    expect(list.map((p) => p.driver)).toEqual(["static", "oauth2"]);
    const oauth2 = oauth2Settings(conf, list[1]?.section);
    expect(oauth2?.file).toBe("/etc/dovecot/oauth2.ext");
    // The nested fields { } block closes without ending the oauth2 one.
    expect(oauth2?.settings.get("client_id")).toBe("dovecot");
    expect(oauth2?.settings.get("grant_url")).toBe("http://x/t");
  });
  it("takes the version given, else the installed one, else the syntax's, and fails another family", () => {
    const syntax23 = (given: number[] | null, installed: number[] | null) =>
      dovecotVersion([2, 3], "the config's syntax", given, installed);
    expect(syntax23(null, null)).toMatchObject({ version: [2, 3], check: { ok: true } });
    expect(syntax23(null, [2, 3, 21, 1])).toEqual({
      version: [2, 3, 21, 1],
      check: { ok: true, what: "Dovecot 2.3.21.1 (dovecot --version)" },
    });
    expect(syntax23([2, 3, 19], [2, 3, 21])).toMatchObject({ version: [2, 3, 19], check: { ok: true } });
    expect(syntax23(null, [2, 4, 1])).toEqual({
      version: [2, 4, 1],
      check: {
        ok: false,
        what: "Dovecot 2.4.1 (dovecot --version)",
        fix: "the config is in Dovecot 2.3 syntax (the config's syntax): use examples/dovecot/2.4",
      },
    });
  });
  it("compares versions, a 2.3 of unknown patch level being before 2.3.21", () => {
    expect(parseVersion("2.3.19.1 (9b53102964)")).toEqual([2, 3, 19, 1]);
    expect(parseVersion("latest")).toBeNull();
    expect(versionBefore([2, 3], [2, 3, 21])).toBe(true);
    expect(versionBefore([2, 3, 21], [2, 3, 21])).toBe(false);
    expect(versionBefore([2, 4], [2, 3, 21])).toBe(false);
    expect(versionBefore([2, 3, 19, 1], [2, 4])).toBe(true);
  });
});
