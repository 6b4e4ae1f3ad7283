// IMAP logins through real Dovecot 2.3: its own SQL passdb against the oauth2 passdb calling
// mailauth, on one PostgreSQL with the same users and hash strings, in one run:
//   make build && node dist/bench/run.js dovecot      (as root: Dovecot's master drops privileges)
// The two Dovecot instances come from examples/dovecot/2.3 through the e2e harness and differ only
// in the passdb. Measurements alternate (SQL, mailauth, SQL, mailauth) so drift on a shared
// machine shows. Writes docs/BENCHMARKS-dovecot.md.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcryptjs from "bcryptjs";
import { whyUnavailable } from "../test/e2e/harness/daemons.js";
import { type Dovecot, startDovecot } from "../test/e2e/harness/dovecot.js";
import { libpqConnectString } from "../test/e2e/harness/libpq.js";
import {
  type Case,
  type Cpu,
  describeRun,
  MAILAUTH_SET_UP,
  type Run,
  renderReport,
  SQL_SET_UP,
} from "./dovecot-report.js";
import { type ImapLoadResult, type ImapLogin, loginEveryone, runImapLoad } from "./imap-load.js";
import { describeMachine } from "./machine.js";
import { childrenOf, machineCpu, processCpu, treeCpu } from "./proc-cpu.js";
import { insertUsers, ROOT, SECRET, ssha512, startBenchService } from "./setup.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FAST_USERS = Number(process.env.BENCH_USERS ?? 1000);
const BCRYPT_USERS = Number(process.env.BENCH_BCRYPT_USERS ?? 100);
const BCRYPT_COST = 10;
// Appended to both instances' config, e.g. "service imap-login {\n service_count = 0\n}".
const DOVECOT_CONFIG = process.env.BENCH_DOVECOT_CONFIG ?? "";

const passwordOf = (i: number) => `bench-Pass-${i}-correct-horse`;

/**
 * What an operator's Dovecot asks PostgreSQL for without mailauth: the hash, and the userdb
 * fields for prefetch from the same view mailauth reads, so both set-ups log in with the same
 * fields and the same userdb chain.
 */
const PASSWORD_QUERY = `SELECT u.email AS "user", u.password_hash AS password, \\
  NULLIF(v.home, '') AS userdb_home, NULLIF(v.mail, '') AS userdb_mail, NULLIF(v.uid, '') AS userdb_uid, \\
  NULLIF(v.gid, '') AS userdb_gid, NULLIF(v.quota_rule, '') AS userdb_quota_rule \\
  FROM users u JOIN dovecot_userdb v ON v.id = u.id WHERE u.email = '%Lu' AND u.enabled`;

/** Each user from an address of its own in the benchmarking range 198.18.0.0/15 (RFC 2544). */
const ipOf = (group: number, i: number) => `198.${18 + group}.${Math.floor(i / 250)}.${(i % 250) + 1}`;

interface SetUp {
  name: string;
  dovecot: Dovecot;
}

function readCpu(dovecot: Dovecot, mailauthPid: number, postmasterPid: number): Cpu {
  const isAuth = (child: { comm: string }) => child.comm === "auth";
  return {
    auth: childrenOf(dovecot.pid)
      .filter(isAuth)
      .reduce((sum, child) => sum + child.self, 0),
    dovecot: treeCpu(dovecot.pid, isAuth),
    mailauth: processCpu(mailauthPid),
    postgres: treeCpu(postmasterPid),
    client: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
    machineBusy: machineCpu().busy,
  };
}

async function measure(
  setUp: SetUp,
  logins: ImapLogin[],
  cpu: () => Cpu,
): Promise<{ result: ImapLoadResult; cores: Cpu }> {
  let before: Cpu | undefined;
  let after: Cpu | undefined;
  const start = setTimeout(() => {
    before = cpu();
  }, WARMUP_SECONDS * 1000);
  const stop = setTimeout(
    () => {
      after = cpu();
    },
    (WARMUP_SECONDS + SECONDS) * 1000,
  );
  const result = await runImapLoad(setUp.dovecot.imapPort, logins, {
    clients: CLIENTS,
    warmupSeconds: WARMUP_SECONDS,
    seconds: SECONDS,
  });
  clearTimeout(start);
  clearTimeout(stop);
  const b = before ?? cpu();
  const a = after ?? cpu();
  const cores = Object.fromEntries(
    Object.entries(a).map(([key, value]) => [key, (value - b[key as keyof Cpu]) / SECONDS]),
  ) as unknown as Cpu;
  return { result, cores };
}

async function main() {
  const machine = describeMachine();
  for (const daemon of ["dovecot", "dovecot-pgsql"] as const) {
    const why = whyUnavailable(daemon);
    if (why) throw new Error(`the Dovecot bench cannot run here: ${why}`);
  }
  const homes = await mkdtemp(join(tmpdir(), "mailauth-bench-homes-"));
  // Dovecot's mail processes run as nobody and create each user's home here.
  await chmod(homes, 0o1777);
  const service = await startBenchService({}, { ownSession: true });
  const instances: Dovecot[] = [];
  const groups: number[] = [];
  try {
    const { databaseUrl } = service;
    const nobody = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
    const nogroup = Number(execFileSync("getent", ["group", "nogroup"], { encoding: "utf8" }).split(":")[2]);
    await service.query(
      "INSERT INTO domains (name, home, mail, uid, gid, quota_rule) VALUES ('example.org', $1, 'maildir:~/Maildir', $2, $3, '*:storage=0')",
      [`${homes}/%d/%n`, nobody, nogroup],
    );
    const rows: [string, string][] = [];
    for (let i = 0; i < FAST_USERS; i++) rows.push([`fast${i}@example.org`, ssha512(passwordOf(i))]);
    for (let i = 0; i < BCRYPT_USERS; i++)
      rows.push([`slow${i}@example.org`, `{BLF-CRYPT}${bcryptjs.hashSync(passwordOf(i), BCRYPT_COST)}`]);
    await insertUsers(service, rows);
    const [backend] = await service.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const backendPid = backend?.pid as number;
    const postmasterPid = parentOf(backendPid);
    const hashSum = async () =>
      (
        await service.query<{ sum: string }>(
          "SELECT md5(string_agg(password_hash, ',' ORDER BY id)) AS sum FROM users",
        )
      )[0]?.sum;
    const hashesBefore = await hashSum();

    const tokenUrl = `${service.base}/dovecot/token`;
    const extraConfig = DOVECOT_CONFIG ? `\n# BENCH_DOVECOT_CONFIG\n${DOVECOT_CONFIG}\n` : "";
    const sql: SetUp = {
      name: SQL_SET_UP,
      dovecot: await startDovecot({
        tokenUrl,
        clientSecret: SECRET,
        passdbSql: { connectString: libpqConnectString(databaseUrl), passwordQuery: PASSWORD_QUERY },
        extraConfig,
      }),
    };
    instances.push(sql.dovecot);
    groups.push(sql.dovecot.pid);
    const viaMailauth: SetUp = {
      name: MAILAUTH_SET_UP,
      dovecot: await startDovecot({ tokenUrl, clientSecret: SECRET, extraConfig }),
    };
    instances.push(viaMailauth.dovecot);
    groups.push(viaMailauth.dovecot.pid);

    const cases: Case[] = [
      {
        hash: "{SSHA512}",
        logins: Array.from({ length: FAST_USERS }, (_, i) => ({
          user: `fast${i}@example.org`,
          password: passwordOf(i),
          ip: ipOf(0, i),
        })),
      },
      {
        hash: `{BLF-CRYPT} cost ${BCRYPT_COST}`,
        logins: Array.from({ length: BCRYPT_USERS }, (_, i) => ({
          user: `slow${i}@example.org`,
          password: passwordOf(i),
          ip: ipOf(1, i),
        })),
      },
    ];

    const mailauthPid = service.pid;
    const runs: Run[] = [];
    for (const { hash, logins } of cases) {
      // Every user once through each set-up, unmeasured: proves both log everyone in, creates the
      // homes (shared by both) and fills mailauth's password-strength cache as days of use would.
      for (const setUp of [sql, viaMailauth]) {
        const started = performance.now();
        const failures = await loginEveryone(setUp.dovecot.imapPort, logins, CLIENTS);
        if (failures.length > 0)
          throw new Error(
            `${setUp.name}, ${hash}: ${failures.length} logins failed, e.g. ${failures[0]}\n${(await setUp.dovecot.logs()).slice(-3000)}`,
          );
        process.stdout.write(
          `${hash}, ${setUp.name}: all ${logins.length} users logged in once in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
        );
      }
      for (let round = 1; round <= ROUNDS; round++) {
        for (const setUp of [sql, viaMailauth]) {
          const { result, cores } = await measure(setUp, logins, () =>
            readCpu(setUp.dovecot, mailauthPid, postmasterPid),
          );
          runs.push({ round, hash, setUp: setUp.name, result, cores });
          process.stdout.write(`${describeRun(runs.length, runs.at(-1) as Run)}\n`);
        }
      }
    }

    if ((await hashSum()) !== hashesBefore)
      throw new Error(
        "the password hashes changed during the run: the set-ups no longer compared the same hashes",
      );

    const report = renderReport(runs, cases, {
      clients: CLIENTS,
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      fastUsers: FAST_USERS,
      bcryptUsers: BCRYPT_USERS,
      bcryptCost: BCRYPT_COST,
      dovecotConfig: DOVECOT_CONFIG,
      machine,
    });
    await writeFile(join(ROOT, "docs/BENCHMARKS-dovecot.md"), report);
    process.stdout.write(`\n${report}`);
  } finally {
    for (const instance of instances) await instance.stop();
    await service.stop();
    await rm(homes, { recursive: true, force: true });
    // Nothing may outlive the bench: each Dovecot master ran in a process group of its own.
    // Killed processes may take a moment to go (seen: one left 0 ms after the stop, none later).
    for (const group of groups) {
      let left = spawnSyncOutput("pgrep", ["-g", String(group)]);
      for (let i = 0; left && i < 30; i++) {
        await new Promise((r) => setTimeout(r, 100));
        left = spawnSyncOutput("pgrep", ["-g", String(group)]);
      }
      if (left) {
        process.exitCode = 1;
        process.stderr.write(`Dovecot processes left in group ${group}: ${left}\n`);
      }
    }
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

function spawnSyncOutput(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8" }).trim().replaceAll("\n", " ");
  } catch {
    return ""; // pgrep exits 1 when nothing matches
  }
}

await main();
