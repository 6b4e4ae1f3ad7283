// The page bench/dovecot.ts writes: figures per run, their summary, and what they mean.
import { execFileSync } from "node:child_process";
import type { ImapLoadResult, ImapLogin } from "./imap-load.js";
import { quantile } from "./imap-load.js";

export const SQL_SET_UP = "Dovecot SQL passdb";
export const MAILAUTH_SET_UP = "oauth2 passdb → mailauth";

export interface ReportSettings {
  clients: number;
  seconds: number;
  warmupSeconds: number;
  fastUsers: number;
  bcryptUsers: number;
  bcryptCost: number;
  dovecotConfig: string;
  /** describeMachine() at the start of the run. */
  machine: string;
}

export interface Case {
  hash: string;
  logins: ImapLogin[];
}

export interface Cpu {
  auth: number;
  dovecot: number;
  mailauth: number;
  postgres: number;
  client: number;
  machineBusy: number;
}

export interface Run {
  round: number;
  hash: string;
  setUp: string;
  result: ImapLoadResult;
  /** Cores each part used during the measured window. */
  cores: Cpu;
}

const ms = (values: number[], q: number) => quantile(values, q).toFixed(0);

/** Cores the rest of the machine (other jobs) used during a run. */
const rest = ({ cores }: Run) =>
  cores.machineBusy - cores.auth - cores.dovecot - cores.mailauth - cores.postgres - cores.client;

export function describeRun(index: number, run: Run): string {
  const { result, cores } = run;
  return `| ${index} | ${run.hash} | ${run.setUp} | ${result.perSecond.toFixed(1)} | ${ms(result.loginMs, 0.5)} / ${ms(result.loginMs, 0.99)} | ${ms(result.sessionMs, 0.5)} / ${ms(result.sessionMs, 0.99)} | ${result.failures} | ${cores.auth.toFixed(2)} | ${cores.dovecot.toFixed(2)} | ${cores.mailauth.toFixed(2)} | ${cores.postgres.toFixed(2)} | ${cores.client.toFixed(2)} | ${rest(run).toFixed(2)} |`;
}

/** The markdown page: a summary per hash and set-up, every run in order, and what it means. */
export function renderReport(runs: Run[], cases: Case[], settings: ReportSettings): string {
  const {
    clients: CLIENTS,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    fastUsers: FAST_USERS,
  } = settings;
  const { bcryptUsers: BCRYPT_USERS, bcryptCost: BCRYPT_COST, dovecotConfig: DOVECOT_CONFIG } = settings;
  const [sqlName, mailauthName] = [SQL_SET_UP, MAILAUTH_SET_UP];
  const summary: string[] = [];
  const ratios: Record<string, number> = {};
  for (const { hash } of cases) {
    const of = (setUp: string) => runs.filter((run) => run.hash === hash && run.setUp === setUp);
    const mean = (list: Run[]) => list.reduce((sum, run) => sum + run.result.perSecond, 0) / list.length;
    const sqlRuns = of(sqlName);
    const mailauthRuns = of(mailauthName);
    ratios[hash] = mean(mailauthRuns) / mean(sqlRuns);
    const perRoundRatios = mailauthRuns
      .map((run, i) => (run.result.perSecond / (sqlRuns[i]?.result.perSecond ?? Number.NaN)).toFixed(2))
      .join(", ");
    for (const [setUp, list] of [
      [sqlName, sqlRuns],
      [mailauthName, mailauthRuns],
    ] as const) {
      const loginMs = list.flatMap((run) => run.result.loginMs);
      const sessionMs = list.flatMap((run) => run.result.sessionMs);
      const perRound = list.map((run) => run.result.perSecond.toFixed(1)).join(", ");
      const ratio =
        setUp === mailauthName ? `**${(ratios[hash] as number).toFixed(2)}** (${perRoundRatios})` : "";
      summary.push(
        `| ${hash} | ${setUp} | ${perRound} | ${mean(list).toFixed(1)} | ${ms(loginMs, 0.5)} / ${ms(loginMs, 0.99)} | ${ms(sessionMs, 0.5)} / ${ms(sessionMs, 0.99)} | ${ratio} |`,
      );
    }
  }
  const busiest = (hash: string, setUp: string) => {
    const list = runs.filter((run) => run.hash === hash && run.setUp === setUp);
    const avg = (key: keyof Cpu) => list.reduce((sum, run) => sum + run.cores[key], 0) / list.length;
    return {
      auth: avg("auth"),
      dovecot: avg("dovecot"),
      mailauth: avg("mailauth"),
      postgres: avg("postgres"),
    };
  };
  const fast = cases[0]?.hash as string;
  const slow = cases[1]?.hash as string;
  const fastSql = busiest(fast, sqlName);
  const fastMailauth = busiest(fast, mailauthName);
  const slowSql = busiest(slow, sqlName);
  const slowMailauth = busiest(slow, mailauthName);
  const f = (value: number) => value.toFixed(2);
  // CPU ms per login, over every run of a case: what one bcrypt verification cost each side.
  const cpuPerLogin = (hash: string, setUp: string, key: keyof Cpu) => {
    const list = runs.filter((run) => run.hash === hash && run.setUp === setUp);
    const logins = list.reduce((sum, run) => sum + run.result.logins, 0);
    return (list.reduce((sum, run) => sum + run.cores[key] * SECONDS, 0) / logins) * 1000;
  };
  const disturbed = runs.flatMap((run, index) => (rest(run) > 0.5 ? [`#${index + 1}`] : []));
  return [
    "# IMAP logins through real Dovecot: SQL passdb vs mailauth",
    "",
    `Measured ${settings.machine}. Made by \`node dist/bench/run.js dovecot\` (bench/dovecot.ts).`,
    "",
    `Dovecot ${execFileSync("dovecot", ["--version"], { encoding: "utf8" }).trim()} twice, from examples/dovecot/2.3 through the e2e harness, differing only in the passdb: Dovecot's own \`sql\` passdb (pgsql driver, \`password_query\` reading the hash and the userdb fields for prefetch) or the example's \`oauth2\` passdb in password-grant mode calling mailauth. Same PostgreSQL 15 (a throwaway cluster on this machine), same users table and hash strings (${FAST_USERS} users with {SSHA512}, ${BCRYPT_USERS} with {BLF-CRYPT} cost ${BCRYPT_COST}, distinct passwords; mailauth's hash upgrade off, and the hashes checked unchanged after the run), same userdb chain (prefetch, then static), auth cache off and default login services (a new \`imap-login\` and \`imap\` process per login), no auth policy${DOVECOT_CONFIG ? `, plus \`${DOVECOT_CONFIG.replaceAll("\n", " ")}\`` : ""}. Load: ${CLIENTS} concurrent clients in Node, each connecting, sending ID (x-originating-ip: every user from an address of its own, so no per-IP limit or penalty applies), LOGIN with the right password, LOGOUT; ${SECONDS} s measured after ${WARMUP_SECONDS} s of warm-up per run, every user logged in once through each set-up before the first run. Runs alternate SQL, mailauth, SQL, mailauth, so drift on the shared machine shows.`,
    "",
    "| hash | set-up | logins/s (per round) | mean | LOGIN p50 / p99 ms | connect→LOGOUT p50 / p99 ms | mailauth / SQL (per round) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ...summary,
    "",
    'Each run in order, with the cores each part used during its measured window ("other Dovecot": master, login and mail processes, log, anvil...; "rest of the machine": all other busy time, mostly other jobs on a shared machine, plus kernel work charged to no process):',
    "",
    "| # | hash | set-up | logins/s | LOGIN p50 / p99 ms | connection p50 / p99 ms | failed | Dovecot auth | other Dovecot | mailauth | PostgreSQL | load generator | rest of the machine |",
    "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...runs.map((run, index) => describeRun(index + 1, run)),
    "",
    "## What this shows",
    "",
    `- **{SSHA512}: mailauth / SQL = ${f(ratios[fast] as number)}.** The hash costs microseconds either way; most of the CPU goes to Dovecot's process-per-login model (its other processes used ${f(fastSql.dovecot)} cores with SQL, ${f(fastMailauth.dovecot)} with mailauth), not the passdb. mailauth adds an HTTP round trip and its bookkeeping (strength verdict, reputation, an auth_events row per login, written in batches): ${f(fastMailauth.mailauth)} cores of Node, on the same cores Dovecot's processes need, so the ratio is what that costs under Dovecot's ceiling. PostgreSQL used ${f(fastSql.postgres)} cores with SQL and ${f(fastMailauth.postgres)} with mailauth, which keeps account rows (not verdicts: every login verifies its hash) in memory for up to 60 s, dropped on change through NOTIFY.`,
    `- **{BLF-CRYPT} cost ${BCRYPT_COST}: mailauth / SQL = ${f(ratios[slow] as number)}.** With the SQL passdb Dovecot verifies bcrypt in its single auth process (${f(slowSql.auth)} cores here; the pgsql driver is asynchronous, so no auth worker takes part): one core is the ceiling. Through mailauth the auth process only waits on HTTP (${f(slowMailauth.auth)} cores) and mailauth hashes on a worker pool over every core (${f(slowMailauth.mailauth)} cores), so the ceiling becomes the machine's cores, shared with Dovecot's own processes. Per login, Dovecot's auth process spent ${cpuPerLogin(slow, sqlName, "auth").toFixed(0)} ms of CPU (libxcrypt's bcrypt, in C) and mailauth ${cpuPerLogin(slow, mailauthName, "mailauth").toFixed(0)} ms (bcryptjs, in worker threads): mailauth's lead, where it has one, comes from using more cores, not from hashing faster: it needs idle cores and shrinks when other work takes them.`,
    disturbed.length === runs.length
      ? "- Other jobs on the machine took more than half a core during every run (last column): the figures are lower than on an idle machine, mailauth's bcrypt pool most of all, which needs idle cores."
      : disturbed.length > 0
        ? `- Other jobs on the machine took more than half a core during runs ${disturbed.join(", ")} (last column): read those with care, and the per-round ratios rather than a single run.`
        : "- Other jobs on the machine took less than half a core during every run (last column).",
    "- Why a pool of threads gains little on a busy machine: Linux's autogroup scheduling (on here) gives each session one share of CPU whatever its number of threads, so mailauth's hashing threads together get about what Dovecot's single auth process gets, and bcryptjs spends more CPU per hash than libxcrypt. On a server with idle cores the pool uses all of them; run the bench on a quiet machine to see that case.",
    `- Latency follows throughput: with ${CLIENTS} clients always busy, a connection lasts about ${CLIENTS} / (logins/s) (Little's law); the LOGIN round trip is the part spent in the passdb and queued behind other logins.`,
    "- Dovecot settings that matter here: the auth cache (off, the default; with it on, repeated logins skip the passdb and the comparison becomes one of the cache), the login service mode (`service_count = 1`, the default, forks an `imap-login` per connection; high-performance mode, `service_count = 0`, lifts the fast-hash ceiling: try it with `BENCH_DOVECOT_CONFIG`), and the oauth2 passdb's `max_parallel_connections` (default 10 HTTP connections to mailauth, enough here).",
    "",
  ].join("\n");
}
