// HTTP throughput of /dovecot/token against a bare Hono route parsing the same form, in one run:
//   make build && node dist/bench/http.js
// Both servers run as their own processes on real PostgreSQL (a throwaway cluster) while wrk
// loads them from a third; figures are only compared as ratios within this run. Writes
// docs/BENCHMARKS-http.md.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import bcryptjs from "bcryptjs";
import pg from "pg";
import { freePort, postgresBinDir, startThrowawayCluster } from "../test/helpers/postgres-cluster.js";
import { describeMachine } from "./machine.js";
import { runWrk, type WrkRequest, type WrkResult } from "./wrk.js";

const ROOT = resolve(import.meta.dirname, "../..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10); // Dovecot's default max_parallel_connections for the oauth2 passdb
const SECRET = "bench-client-secret-0123456789";
const POLICY_TOKEN = "bench-policy-token-0123456789";
const FAST_USERS = 1000;
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 5);
const BCRYPT_USERS = 40;

const passwordOf = (i: number) => `bench-Pass-${i}-correct-horse`;

function ssha512(password: string): string {
  const salt = randomBytes(4);
  return `{SSHA512}${Buffer.concat([createHash("sha512").update(password).update(salt).digest(), salt]).toString("base64")}`;
}

function form(username: string, password: string): string {
  return new URLSearchParams({
    grant_type: "password",
    username,
    password,
    client_id: "dovecot",
    client_secret: SECRET,
  }).toString();
}

/**
 * Every user of a case logs in from a /64 of its own (documentation range 2001:db8::/32), as
 * users do: sharing one address, a case's failures would give that address a bad reputation and
 * get it banned, and the next case would measure refusals.
 */
const from = (group: number, i: number) => `[2001:db8:${group.toString(16)}:${i.toString(16)}::1]`;

function token(username: string, password: string, ip: string): WrkRequest {
  return {
    path: "/dovecot/token",
    body: form(username, password),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Dovecot-Auth-Remote": `${ip}:0`,
      "X-Dovecot-Auth-Service": "imap",
    },
  };
}

async function startProcess(args: string[], env: Record<string, string>, url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(url, { method: "POST" });
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${args.join(" ")} did not start`);
}

async function main() {
  const binDir = postgresBinDir();
  if (!binDir)
    throw new Error("the HTTP bench needs PostgreSQL's server binaries (apt-get install postgresql)");
  const cluster = await startThrowawayCluster(binDir);
  const children: ChildProcess[] = [];
  try {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query("CREATE DATABASE mailauth_bench");
    await admin.end();
    const databaseUrl = cluster.url.replace(/\/postgres$/, "/mailauth_bench");

    const port = await freePort();
    const barePort = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const bare = `http://127.0.0.1:${barePort}`;
    const dataDir = mkdtempSync(join(tmpdir(), "mailauth-bench-"));
    children.push(
      await startProcess(
        // BENCH_PROFILE=DIR writes a CPU profile of mailauth's process there.
        [
          ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
          join(ROOT, "dist/src/main.js"),
          "serve",
        ],
        {
          MAILAUTH_DATABASE_URL: databaseUrl,
          MAILAUTH_LISTEN: `127.0.0.1:${port}`,
          MAILAUTH_DATA_DIR: dataDir,
          MAILAUTH_DOVECOT_CLIENT_SECRET: SECRET,
          MAILAUTH_POLICY_TOKEN: POLICY_TOKEN,
          MAILAUTH_LOG_LEVEL: "warn",
          // Upgrading on login would turn the SSHA512 users into bcrypt ones after their first
          // login, and the fast-hash case into a bcrypt one.
          MAILAUTH_UPGRADE_HASHES: "false",
        },
        `${base}/healthz`,
      ),
    );
    children.push(
      await startProcess(
        [join(ROOT, "dist/bench/bare-server.js"), String(barePort)],
        {},
        `${bare}/dovecot/token`,
      ),
    );

    // Users: the server has migrated the schema by now.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const rows: [string, string][] = [];
    for (let i = 0; i < FAST_USERS; i++) rows.push([`fast${i}@example.org`, ssha512(passwordOf(i))]);
    const bcryptStarted = performance.now();
    for (let i = 0; i < BCRYPT_USERS; i++)
      rows.push([`slow${i}@example.org`, `{BLF-CRYPT}${bcryptjs.hashSync(passwordOf(i), 10)}`]);
    const bcryptMs = (performance.now() - bcryptStarted) / BCRYPT_USERS;
    await db.query(
      `INSERT INTO users (email, domain, password_hash) SELECT e, split_part(e, '@', 2), h FROM unnest($1::text[], $2::text[]) AS t(e, h)`,
      [rows.map((r) => r[0]), rows.map((r) => r[1])],
    );
    // A banned range: the server learns of it through NOTIFY.
    await db.query(
      "INSERT INTO bans (network, reason, source, level, created_at, expires_at, first_seen, last_seen) VALUES ('192.0.2.0/24', 'bench', 'manual', 1, now(), now() + interval '1 day', now(), now())",
    );
    await db.end();

    const fast = Array.from({ length: FAST_USERS }, (_, i) =>
      token(`fast${i}@example.org`, passwordOf(i), from(1, i)),
    );
    const slow = Array.from({ length: BCRYPT_USERS }, (_, i) =>
      token(`slow${i}@example.org`, passwordOf(i), from(2, i)),
    );
    const unknown = Array.from({ length: 200 }, (_, i) =>
      token(`nobody${i}@example.org`, passwordOf(i), from(3, i)),
    );
    const wrong = Array.from({ length: FAST_USERS }, (_, i) =>
      token(`fast${i}@example.org`, `${passwordOf(i)}-typo`, from(4, i)),
    );
    // A bot's dictionary: a few hundred weak passwords over many logins (verdicts come from the cache).
    const dictionary = [
      "azerty123",
      "motdepasse",
      "soleil",
      "password1",
      "123456789",
      "qwerty",
      "doudou59",
      "marseille13",
    ];
    const weak = Array.from({ length: 800 }, (_, i) =>
      token(`fast${i % FAST_USERS}@example.org`, `${dictionary[i % dictionary.length]}`, from(5, i)),
    );

    const run = async (url: string, requests: WrkRequest[], seconds = SECONDS) => {
      // Warm-up long enough for every request to have been seen once: a password's first strength
      // check costs ~1.4 ms of zxcvbn, later ones a cache lookup.
      await runWrk(url, requests, { seconds: WARMUP_SECONDS, connections: CONNECTIONS });
      return runWrk(url, requests, { seconds, connections: CONNECTIONS });
    };
    const bannedTokens = Array.from({ length: 250 }, (_, i) =>
      token(`fast${i}@example.org`, passwordOf(i), `192.0.2.${i + 1}`),
    );
    const policyRequest = (command: string, i: number, extra: Record<string, unknown> = {}): WrkRequest => ({
      path: `/dovecot/policy?command=${command}`,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${POLICY_TOKEN}` },
      body: JSON.stringify({
        device_id: "",
        login: `fast${i}@example.org`,
        protocol: "imap",
        pwhash: "082f",
        remote: `198.51.100.${i % 250}`,
        session_id: "",
        tls: false,
        ...extra,
      }),
    });
    const allow = Array.from({ length: 250 }, (_, i) => policyRequest("allow", i));
    const allowBanned = Array.from({ length: 250 }, (_, i) => ({
      ...policyRequest("allow", i),
      body: policyRequest("allow", i).body.replace("198.51.100.", "192.0.2."),
    }));
    const report = Array.from({ length: 250 }, (_, i) =>
      policyRequest("report", i, { success: true, policy_reject: false }),
    );
    const barePolicy = allow.map((r) => ({ ...r, path: "/dovecot/policy" }));
    // Each case with the status its requests must get: a case answered otherwise (a banned
    // address, a broken setup) measures something else, and the run stops.
    const cases: [string, string, WrkRequest[], number][] = [
      ["/dovecot/token, banned address (refused before any work)", base, bannedTokens, 400],
      ["/dovecot/token, right password, {SSHA512}", base, fast, 200],
      ["/dovecot/token, wrong password, {SSHA512}", base, wrong, 400],
      ["/dovecot/token, right password, bcrypt cost 10", base, slow, 200],
      ["/dovecot/token, unknown user (dummy bcrypt cost 10)", base, unknown, 400],
      ["/dovecot/token, weak password refused (no hash check)", base, weak, 400],
      ["/dovecot/policy allow, clean address", base, allow, 200],
      ["/dovecot/policy allow, banned address", base, allowBanned, 200],
      ["/dovecot/policy report, success", base, report, 200],
    ];
    const floor = await run(bare, fast);
    const policyFloor = await run(bare, barePolicy);
    const results: [string, WrkResult][] = [["bare Hono route, same form (the floor)", floor]];
    // BENCH_ONLY=regex runs only the matching cases (for profiling one of them).
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
    for (const [name, url, requests, status] of cases) {
      if (only && !only.test(name)) continue;
      const result = await run(url, requests);
      if (!result.firstReply.startsWith(`${status} `)) {
        throw new Error(`${name}: answered ${result.firstReply}, expected ${status}`);
      }
      results.push([name, result]);
    }

    // No case is an attack: any automatic ban means later cases measured refusals.
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    const { rows: autoBans } = await check.query(
      "SELECT network::text, reason FROM bans WHERE source = 'auto'",
    );
    await check.end();
    if (autoBans.length > 0)
      throw new Error(`the bench's own traffic was banned: ${JSON.stringify(autoBans.slice(0, 3))}`);

    const cores = (await import("node:os")).availableParallelism();
    const poolLimit = cores / (bcryptMs / 1000);
    const lines = [
      "# /dovecot/token throughput",
      "",
      `Measured ${describeMachine()}; PostgreSQL 15 throwaway cluster on the same machine; wrk, 1 thread, ${CONNECTIONS} keep-alive connections, ${SECONDS} s per case after ${WARMUP_SECONDS} s of warm-up; mailauth and the bare route each in their own process. Made by \`make bench\` (bench/http.ts).`,
      "",
      "| case | requests/s | ratio to the floor | p50 ms | p99 ms | non-2xx | a reply |",
      "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
      ...results.map(
        ([name, r]) =>
          `| ${name} | ${r.perSecond.toFixed(0)} | ${(r.perSecond / (name.includes("policy") ? policyFloor : floor).perSecond).toFixed(2)} | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)} | ${r.non2xx} | \`${r.firstReply}\` |`,
      ),
      "",
      `bcrypt cost 10 took ${bcryptMs.toFixed(1)} ms per hash single-threaded (bcryptjs) in this run, so the worker pool's limit is ${cores} / ${bcryptMs.toFixed(1)} ms = ${poolLimit.toFixed(1)} verifications/s. The bcrypt login reached ${(perSecond(results, "right password, bcrypt") / poolLimit).toFixed(2)} of it, the unknown user ${(perSecond(results, "unknown user") / poolLimit).toFixed(2)}.`,
      "",
      `Policy cases are compared with a bare Hono route parsing the same JSON: ${policyFloor.perSecond.toFixed(0)} requests/s in this run.`,
      "",
      "Goals: the fast-hash login at least 0.5 of the floor and the bcrypt login at least 0.9 of the pool's limit (issue 3); a weak password's refusal at least 0.4 of the floor (issue 4); policy allow and a banned address's token request at least 0.7 (issue 5).",
      "",
    ];
    writeFileSync(join(ROOT, "docs/BENCHMARKS-http.md"), lines.join("\n"));
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    await cluster.stop();
  }
}

function perSecond(results: [string, WrkResult][], name: string): number {
  return results.find(([n]) => n.includes(name))?.[1].perSecond ?? 0;
}

await main();
