import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import type { Config } from "../config/config.js";
import { type Db, openEmbedded, openPostgres } from "../db/database.js";
import { embeddedPaths, lockEmbedded } from "../db/embedded-lock.js";
import { isCurrent, loadMigrations } from "../db/migrate.js";
import { nftRunner } from "../firewall/nft.js";
import { inspectTable } from "../firewall/table.js";
import { MIGRATIONS_DIR } from "../service.js";
import { type Command, type Output, UsageError } from "./command.js";
import {
  type ConfSection,
  oauth2Settings,
  type Passdb,
  parseVersion,
  passdbs,
  readConf,
  readConfDir,
  resolveConfPath,
  versionBefore,
} from "./dovecot-conf.js";

const execFileAsync = promisify(execFile);

/** One check's verdict: ok, or what is wrong and how to fix it. */
export type Check = { what: string; ok: true } | { what: string; ok: false; fix: string };

const ok = (what: string): Check => ({ what, ok: true });
const fail = (what: string, fix: string): Check => ({ what, ok: false, fix });

export const doctorCommand: Command = {
  path: ["doctor"],
  summary: "check the configuration, the database, Dovecot's oauth2 settings and nft",
  usage: "doctor [--dovecot-conf FILE|DIR [--dovecot-version VERSION]]",
  details: `Prints "ok   <what>" or "FAIL <what>: <how to fix>" per check; exits 1 if any failed.
--dovecot-conf takes dovecot-oauth2.conf.ext (its grant_url must reach this mailauth and its
client_secret must be accepted), or dovecot.conf or /etc/dovecot (also finds the oauth2 passdb,
and on Dovecot before 2.3.21 the guard passdb against empty passwords before it). Dovecot 2.3 and
2.4 syntax are both read. The Dovecot version is --dovecot-version (e.g. 2.3.21), else that of
\`dovecot --version\` when the config is /etc/dovecot, else what the syntax says; mailauth's
MAILAUTH_DOVECOT_FAILURE_STYLE must suit it.`,
  options: { "dovecot-conf": { type: "string" }, "dovecot-version": { type: "string" } },
  positionals: { min: 0, max: 0 },
  async standalone(config, _log, { args, out }) {
    const conf = args.values["dovecot-conf"];
    const version = args.values["dovecot-version"];
    const given = typeof version === "string" ? parseVersion(version) : null;
    if (typeof version === "string" && (!given || typeof conf !== "string")) {
      throw new UsageError("--dovecot-version takes a version like 2.3.21 or 2.4, with --dovecot-conf");
    }
    const checks: Check[] = [ok("configuration (MAILAUTH_* settings)")];
    checks.push(await checkDatabase(config));
    if (typeof conf === "string") checks.push(...(await checkDovecot(conf, given)));
    checks.push(...(await checkNft(config)));
    return print(checks, out);
  },
};

function print(checks: Check[], out: Output): number {
  for (const c of checks) out.line(c.ok ? `ok   ${c.what}` : `FAIL ${c.what}: ${c.fix}`);
  return checks.every((c) => c.ok) ? 0 : 1;
}

/** Connects and compares the applied migrations with this version's; never migrates. */
async function checkDatabase(config: Config): Promise<Check> {
  const what = config.databaseUrl ? "database (PostgreSQL)" : `embedded database in ${config.dataDir}`;
  let db: Db;
  let release = () => {};
  if (config.databaseUrl) {
    db = openPostgres(config.databaseUrl, { max: 1, statementTimeoutMs: config.dbTimeoutMs });
  } else {
    const lock = lockEmbedded(config.dataDir);
    // The running server holds it: ask it instead (its /readyz checks the same).
    if (!lock.ok) return checkReady(config, `${what} (held by pid ${lock.holder})`);
    release = lock.release;
    try {
      db = await openEmbedded(embeddedPaths(config.dataDir).database);
    } catch (error) {
      release();
      return fail(what, `cannot open it: ${(error as Error).message}`);
    }
  }
  try {
    const current = await isCurrent(db, loadMigrations(MIGRATIONS_DIR));
    return current
      ? ok(`${what}: connected, migrations current`)
      : fail(what, "migrations pending: run mailauth migrate");
  } catch (error) {
    return fail(what, `${(error as Error).message}: check MAILAUTH_DATABASE_URL and that the server runs`);
  } finally {
    await db.close().catch(() => {});
    release();
  }
}

async function checkReady(config: Config, what: string): Promise<Check> {
  const url = `http://${config.listen.host.includes(":") ? `[${config.listen.host}]` : config.listen.host}:${config.listen.port}/readyz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return response.ok
      ? ok(`${what}: the server at ${url} reports it ready`)
      : fail(what, `${url} answered ${response.status}: see the server's log`);
  } catch (error) {
    return fail(what, `cannot reach the server holding it at ${url} (${(error as Error).message})`);
  }
}

async function checkDovecot(path: string, given: number[] | null): Promise<Check[]> {
  if (!existsSync(path)) return [fail(`Dovecot config ${path}`, "no such file or directory")];
  if (statSync(path).isFile() && path.endsWith(".ext")) {
    const file = readConf(path, dirname(path));
    const v24 = oauth2Settings(file);
    const { version, check } = await whichDovecot(
      dirname(path),
      v24 ? [2, 4] : [2, 3],
      "the .ext file's syntax",
      given,
    );
    return [check, ...(await checkOauth2(v24 ?? file, version))];
  }
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  const conf = readConfDir(dir);
  const list = passdbs(conf);
  const index = list.findIndex((p) => p.driver === "oauth2");
  const passdb = list[index]?.section;
  if (!passdb) {
    return [
      fail(
        `Dovecot config in ${dir}`,
        "no oauth2 passdb: add mailauth's conf.d/90-mailauth-auth.conf (examples/dovecot/2.3 or 2.4)",
      ),
    ];
  }
  // 2.3 names the settings file in `args`; 2.4 has them in an oauth2 { } section (often included).
  const args = passdb.settings.get("args");
  const declared = parseVersion(conf.settings.get("dovecot_config_version") ?? "");
  const syntax = declared ?? (args === undefined ? [2, 4] : [2, 3]);
  const from = declared ? "dovecot_config_version" : "the config's syntax";
  const { version, check } = await whichDovecot(dir, syntax, from, given);
  const checks = [check, checkGuard(list, index, version)];
  if (args !== undefined) {
    let file = resolveConfPath(args, dir, dir);
    if (!existsSync(file)) file = join(dir, basename(args));
    if (!args || !existsSync(file)) {
      return [
        ...checks,
        fail("Dovecot oauth2 settings", `cannot read ${args || "the oauth2 passdb's args file"}`),
      ];
    }
    return [...checks, ...(await checkOauth2(readConf(file, dir), version))];
  }
  const settings = oauth2Settings(conf, passdb);
  if (!settings) {
    return [
      ...checks,
      fail(
        "Dovecot oauth2 settings",
        "no oauth2 { } settings for the oauth2 passdb: !include dovecot-oauth2.conf.ext inside it (examples/dovecot/2.4)",
      ),
    ];
  }
  return [...checks, ...(await checkOauth2(settings, version))];
}

/** dovecotVersion, asking the installed Dovecot when the config checked is its own. */
async function whichDovecot(dir: string, syntax: number[], from: string, given: number[] | null) {
  let installed: number[] | null = null;
  if (!given && realpathSync(dir) === "/etc/dovecot") {
    for (const program of ["dovecot", "/usr/sbin/dovecot"]) {
      installed = await execFileAsync(program, ["--version"], { timeout: 5000 })
        .then(({ stdout }) => parseVersion(stdout))
        .catch(() => null);
      if (installed) break;
    }
  }
  return dovecotVersion(syntax, from, given, installed);
}

/**
 * Which Dovecot a config is for: --dovecot-version, else `dovecot --version` (`installed`), else
 * what its syntax says. A version of another family than the syntax's fails: that Dovecot would
 * not start with this config.
 */
export function dovecotVersion(
  syntax: number[],
  from: string,
  given: number[] | null,
  installed: number[] | null,
): { version: number[]; check: Check } {
  const family = (v: number[]) => v.slice(0, 2).join(".");
  const [version, source] = given
    ? [given, "--dovecot-version"]
    : installed
      ? [installed, "dovecot --version"]
      : [syntax, `from ${from}; --dovecot-version to say otherwise`];
  const what = `Dovecot ${version.join(".")} (${source})`;
  if (family(version) === family(syntax)) return { version, check: ok(what) };
  return {
    version,
    check: fail(
      what,
      `the config is in Dovecot ${family(syntax)} syntax (${from}): use examples/dovecot/${family(version)}`,
    ),
  };
}

/** Before 2.3.21 an empty password panics the oauth2 passdb: a static passdb must catch it first. */
function checkGuard(list: Passdb[], oauth2: number, version: number[]): Check {
  const what = "Dovecot guard passdb against empty passwords";
  if (!versionBefore(version, [2, 3, 21])) return ok(`${what}: not needed from Dovecot 2.3.21 on`);
  const guard = list.findIndex(
    (p) => p.driver === "static" && p.section.settings.get("args") === "password=",
  );
  return guard >= 0 && guard < oauth2
    ? ok(what)
    : fail(
        what,
        "add the driver = static, args = password= passdb before the oauth2 one (examples/dovecot/README.md), or pass --dovecot-version if Dovecot is 2.3.21 or later",
      );
}

/**
 * grant_url answers like mailauth, client_id/client_secret are the ones it accepts, and the way
 * mailauth says "wrong password" (MAILAUTH_DOVECOT_FAILURE_STYLE) is one this Dovecot reads.
 */
async function checkOauth2(oauth2: ConfSection, version: number[]): Promise<Check[]> {
  const { settings, file } = oauth2;
  const is24 = !versionBefore(version, [2, 4]);
  const checks: Check[] = [];
  if (is24) {
    const what = `active_attribute and active_value in ${file}`;
    checks.push(
      settings.get("active_attribute") === "active" && settings.get("active_value") === "true"
        ? ok(what)
        : fail(
            what,
            "set active_attribute = active and active_value = true: mailauth says wrong password with active false (examples/dovecot/2.4)",
          ),
    );
  }
  const url = settings.get("grant_url");
  if (!url) return [...checks, fail(`${file}`, "no grant_url: set it to http://HOST:PORT/dovecot/token")];
  const post = (body: string) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-dovecot-auth-service": "doctor" },
      body,
      signal: AbortSignal.timeout(5000),
    }).then(async (r) => ({
      status: r.status,
      body: (await r.json().catch(() => ({}))) as Record<string, unknown>,
    }));

  try {
    const empty = await post("");
    if (empty.status !== 400 || empty.body.error !== "invalid_request") {
      return [
        ...checks,
        fail(
          `grant_url ${url}`,
          `answered ${empty.status}, not mailauth's 400 invalid_request: is it the /dovecot/token URL?`,
        ),
      ];
    }
  } catch (error) {
    return [
      ...checks,
      fail(`grant_url ${url}`, `unreachable (${(error as Error).message}): is mailauth listening there?`),
    ];
  }
  checks.push(ok(`grant_url ${url} reaches mailauth`));
  const grant = new URLSearchParams({
    grant_type: "password",
    username: `doctor-${randomUUID()}@nonexistent.invalid`,
    password: randomUUID(),
    client_id: settings.get("client_id") ?? "",
    client_secret: settings.get("client_secret") ?? "",
  });
  const answer = await post(grant.toString()).catch((error: Error) => ({
    status: 0,
    body: { error: error.message } as Record<string, unknown>,
  }));
  // An unknown user's refusal also tells mailauth's failure style.
  const style =
    answer.status === 400 && answer.body.error === "invalid_grant"
      ? "dovecot23"
      : answer.status === 200 && answer.body.active === "false"
        ? "dovecot24"
        : null;
  if (!style) {
    checks.push(
      fail(
        `client_id and client_secret in ${file}`,
        answer.status === 401
          ? "mailauth refuses them: copy MAILAUTH_DOVECOT_CLIENT_SECRET (or $MAILAUTH_DATA_DIR/dovecot-client-secret) and MAILAUTH_DOVECOT_CLIENT_ID"
          : `a grant for an unknown user got ${answer.status} ${JSON.stringify(answer.body)}, not a refusal`,
      ),
    );
    return checks;
  }
  checks.push(ok(`client_id and client_secret in ${file}`));
  const what = `mailauth's failure style ${style} for Dovecot ${version.join(".")}`;
  checks.push(
    is24 && style === "dovecot23"
      ? fail(
          what,
          "Dovecot 2.4 takes its 400 invalid_grant for a temporary failure, so every wrong password would be one: set MAILAUTH_DOVECOT_FAILURE_STYLE=dovecot24 and restart mailauth",
        )
      : ok(what),
  );
  return checks;
}

/** nft runs; as root, it can also read the ruleset (what `mailauth firewall sync` needs). */
async function checkNft(config: Config): Promise<Check[]> {
  const run = nftRunner(config.firewall.command);
  const name = config.firewall.command.join(" ");
  const version = await run(["--version"]);
  if (version.code !== 0) {
    return [
      fail(
        `nft (${name})`,
        `${version.stderr.trim() || `exit ${version.code}`}: install nftables, or set MAILAUTH_NFT_BINARY (needed only by mailauth firewall sync)`,
      ),
    ];
  }
  const checks = [ok(`nft: ${version.stdout.trim().split("\n")[0]}`)];
  if (process.getuid?.() === 0) {
    const tables = await run(["list", "tables"]);
    if (tables.code !== 0) {
      checks.push(
        fail(
          "nft list tables (as root)",
          `${tables.stderr.trim()}: the kernel needs nf_tables (and CAP_NET_ADMIN)`,
        ),
      );
      return checks;
    }
    checks.push(ok("nft list tables (as root)"));
    // The same check the sync makes before it changes anything.
    const { family, table: name } = config.firewall.nft;
    const table = await inspectTable(run, config.firewall.nft);
    const what = `nft table ${family} ${name}`;
    if (table.kind === "missing") checks.push(ok(`${what}: absent (the first firewall sync creates it)`));
    else if (table.kind === "foreign" || table.kind === "error") checks.push(fail(what, table.reason));
    else if (table.kind === "ours") checks.push(ok(`${what}: mailauth's`));
    else checks.push(ok(`${what}: made by an earlier mailauth (the next sync marks it as mailauth's)`));
  }
  return checks;
}
