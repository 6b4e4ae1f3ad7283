import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Config } from "../config/config.js";
import { type Db, openEmbedded, openPostgres } from "../db/database.js";
import { embeddedPaths, lockEmbedded } from "../db/embedded-lock.js";
import { isCurrent, loadMigrations } from "../db/migrate.js";
import { nftRunner } from "../firewall/nft.js";
import { MIGRATIONS_DIR } from "../service.js";
import type { Command, Output } from "./command.js";

/** One check's verdict: ok, or what is wrong and how to fix it. */
type Check = { what: string; ok: true } | { what: string; ok: false; fix: string };

const ok = (what: string): Check => ({ what, ok: true });
const fail = (what: string, fix: string): Check => ({ what, ok: false, fix });

export const doctorCommand: Command = {
  path: ["doctor"],
  summary: "check the configuration, the database, Dovecot's oauth2 settings and nft",
  usage: "doctor [--dovecot-conf FILE|DIR]",
  details: `Prints "ok   <what>" or "FAIL <what>: <how to fix>" per check; exits 1 if any failed.
--dovecot-conf takes dovecot-oauth2.conf.ext (its grant_url must reach this mailauth and its
client_secret must be accepted), or dovecot.conf or /etc/dovecot (also checks that the guard
passdb against empty passwords comes before the oauth2 one).`,
  options: { "dovecot-conf": { type: "string" } },
  positionals: { min: 0, max: 0 },
  async standalone(config, _log, { args, out }) {
    const checks: Check[] = [ok("configuration (MAILAUTH_* settings)")];
    checks.push(await checkDatabase(config));
    const conf = args.values["dovecot-conf"];
    if (typeof conf === "string") checks.push(...(await checkDovecot(conf)));
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

/** `key = value` lines of a Dovecot .ext file (comments and blank lines skipped). */
export function parseExt(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\s*([a-z_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] && !line.trimStart().startsWith("#")) settings.set(match[1], match[2] ?? "");
  }
  return settings;
}

/** The passdb blocks of a Dovecot config, in order, as their settings. */
export function passdbs(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  const uncommented = text.replace(/#[^\n]*/g, "");
  for (const match of uncommented.matchAll(/passdb\s*(?:[\w-]+\s*)?\{([^}]*)\}/g)) {
    blocks.push(parseExt(match[1] ?? ""));
  }
  return blocks;
}

async function checkDovecot(path: string): Promise<Check[]> {
  if (!existsSync(path)) return [fail(`Dovecot config ${path}`, "no such file or directory")];
  if (statSync(path).isFile() && path.endsWith(".ext")) return checkExt(path);
  const dir = statSync(path).isDirectory() ? path : dirname(path);
  const files = [join(dir, "dovecot.conf")];
  const confD = join(dir, "conf.d");
  if (existsSync(confD)) {
    for (const name of readdirSync(confD).sort()) if (name.endsWith(".conf")) files.push(join(confD, name));
  }
  const text = files
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
  const blocks = passdbs(text);
  const oauth2 = blocks.findIndex((b) => b.get("driver") === "oauth2");
  if (oauth2 < 0) return [fail(`Dovecot config in ${dir}`, "no passdb with driver = oauth2: add mailauth's")];
  const guard = blocks.findIndex((b) => b.get("driver") === "static" && b.get("args") === "password=");
  const checks = [
    guard >= 0 && guard < oauth2
      ? ok("Dovecot guard passdb against empty passwords")
      : fail(
          "Dovecot guard passdb against empty passwords",
          "add the driver = static, args = password= passdb before the oauth2 one (examples/dovecot/README.md)",
        ),
  ];
  const ext = blocks[oauth2]?.get("args") ?? "";
  const local = existsSync(ext) ? ext : join(dir, basename(ext));
  if (ext && existsSync(local)) checks.push(...(await checkExt(local)));
  else checks.push(fail("Dovecot oauth2 settings", `cannot read ${ext || "the oauth2 passdb's args file"}`));
  return checks;
}

/** grant_url answers like mailauth, and client_id/client_secret are the ones it accepts. */
async function checkExt(path: string): Promise<Check[]> {
  const settings = parseExt(readFileSync(path, "utf8"));
  const url = settings.get("grant_url");
  if (!url) return [fail(`${path}`, "no grant_url: set it to http://HOST:PORT/dovecot/token")];
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
        fail(
          `grant_url ${url}`,
          `answered ${empty.status}, not mailauth's 400 invalid_request: is it the /dovecot/token URL?`,
        ),
      ];
    }
  } catch (error) {
    return [
      fail(`grant_url ${url}`, `unreachable (${(error as Error).message}): is mailauth listening there?`),
    ];
  }
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
  const refused =
    answer.status === 400 ? answer.body.error === "invalid_grant" : answer.body.active === "false";
  if (refused) return [ok(`grant_url ${url} reaches mailauth`), ok(`client_id and client_secret in ${path}`)];
  return [
    ok(`grant_url ${url} reaches mailauth`),
    fail(
      `client_id and client_secret in ${path}`,
      answer.status === 401
        ? "mailauth refuses them: copy MAILAUTH_DOVECOT_CLIENT_SECRET (or $MAILAUTH_DATA_DIR/dovecot-client-secret) and MAILAUTH_DOVECOT_CLIENT_ID"
        : `a grant for an unknown user got ${answer.status} ${JSON.stringify(answer.body)}, not 400 invalid_grant`,
    ),
  ];
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
    checks.push(
      tables.code === 0
        ? ok("nft list tables (as root)")
        : fail(
            "nft list tables (as root)",
            `${tables.stderr.trim()}: the kernel needs nf_tables (and CAP_NET_ADMIN)`,
          ),
    );
  }
  return checks;
}
