// What every HTTP bench needs: a throwaway PostgreSQL cluster, mailauth serving on it as its own
// process, users inserted straight into its tables, and Dovecot-shaped token requests.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { freePort, postgresBinDir, startThrowawayCluster } from "../test/helpers/postgres-cluster.js";
import type { WrkRequest } from "./wrk.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const SECRET = "bench-client-secret-0123456789";
export const POLICY_TOKEN = "bench-policy-token-0123456789";
export const ADMIN_TOKEN = "bench-admin-token-0123456789";

export interface BenchService {
  /** mailauth's base URL. */
  base: string;
  pid: number;
  databaseUrl: string;
  /** Runs one statement on the bench database. */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Starts another process (a bare route) that stop() ends too; resolves once `url` answers. */
  spawnAlso(args: string[], url: string): Promise<ChildProcess>;
  stop(): Promise<void>;
}

export interface BenchServiceOptions {
  /** Given to mailauth's Node.js, e.g. a heap cap. */
  nodeArgs?: string[];
  /**
   * mailauth in a session of its own, as Dovecot and PostgreSQL run: with the kernel's autogroup
   * scheduling a session shares one CPU weight, and mailauth left in the bench's would compete
   * with the load generator for one share (a systemd service gets a cgroup of its own likewise).
   */
  ownSession?: boolean;
}

/** Starts PostgreSQL and mailauth (migrated, logging warnings only) with `env` added. */
export async function startBenchService(
  env: Record<string, string> = {},
  options: BenchServiceOptions = {},
): Promise<BenchService> {
  const binDir = postgresBinDir();
  if (!binDir) throw new Error("the benches need PostgreSQL's server binaries (apt-get install postgresql)");
  const cluster = await startThrowawayCluster(binDir);
  const children: ChildProcess[] = [];
  const pool = new pg.Pool({
    connectionString: cluster.url.replace(/\/postgres$/, "/mailauth_bench"),
    max: 2,
  });
  const stop = async () => {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))),
    );
    await pool.end().catch(() => undefined);
    await cluster.stop();
  };
  try {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query("CREATE DATABASE mailauth_bench");
    await admin.end();
    const databaseUrl = cluster.url.replace(/\/postgres$/, "/mailauth_bench");
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const start = async (args: string[], extraEnv: Record<string, string>, url: string, detached = false) => {
      const child = spawn(process.execPath, args, {
        env: { ...process.env, ...extraEnv },
        stdio: ["ignore", "ignore", "inherit"],
        detached,
      });
      children.push(child);
      // A detached child would outlive a bench that crashes.
      if (detached) process.once("exit", () => child.kill("SIGKILL"));
      for (let i = 0; i < 300; i++) {
        if (child.exitCode !== null) break;
        try {
          await fetch(url, { method: "POST" });
          return child;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      throw new Error(`${args.join(" ")} did not start`);
    };
    const child = await start(
      [
        // BENCH_PROFILE=DIR writes a CPU profile of mailauth's process there.
        ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
        ...(options.nodeArgs ?? []),
        join(ROOT, "dist/src/main.js"),
        "serve",
      ],
      {
        MAILAUTH_DATABASE_URL: databaseUrl,
        MAILAUTH_LISTEN: `127.0.0.1:${port}`,
        MAILAUTH_DATA_DIR: mkdtempSync(join(tmpdir(), "mailauth-bench-")),
        MAILAUTH_DOVECOT_CLIENT_SECRET: SECRET,
        MAILAUTH_POLICY_TOKEN: POLICY_TOKEN,
        MAILAUTH_ADMIN_TOKEN: ADMIN_TOKEN,
        MAILAUTH_LOG_LEVEL: "warn",
        // Upgrading on login would turn the legacy-hash users into bcrypt ones after their first
        // login, and a fast-hash case into a bcrypt one.
        MAILAUTH_UPGRADE_HASHES: "false",
        ...env,
      },
      `${base}/healthz`,
      options.ownSession,
    );
    return {
      base,
      pid: child.pid ?? 0,
      databaseUrl,
      query: async (sql, params) => (await pool.query(sql, params)).rows,
      spawnAlso: (args, url) => start(args, {}, url),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Inserts accounts (email, Dovecot hash) in one statement; their domains need not exist. */
export async function insertUsers(service: BenchService, users: [string, string][]): Promise<void> {
  await service.query(
    `INSERT INTO users (email, domain, password_hash)
       SELECT e, split_part(e, '@', 2), h FROM unnest($1::text[], $2::text[]) AS t(e, h)`,
    [users.map((u) => u[0]), users.map((u) => u[1])],
  );
}

/** A Dovecot {SSHA512} hash: a legacy digest, verified in microseconds. */
export function ssha512(password: string): string {
  const salt = randomBytes(4);
  return `{SSHA512}${Buffer.concat([createHash("sha512").update(password).update(salt).digest(), salt]).toString("base64")}`;
}

/** The form Dovecot's oauth2 passdb posts. */
export function grantForm(username: string, password: string): string {
  return new URLSearchParams({
    grant_type: "password",
    username,
    password,
    client_id: "dovecot",
    client_secret: SECRET,
  }).toString();
}

/** A /dovecot/token request as Dovecot sends it, from `ip` (bracketed when IPv6). */
export function tokenRequest(username: string, password: string, ip: string): WrkRequest {
  return {
    path: "/dovecot/token",
    body: grantForm(username, password),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Dovecot-Auth-Remote": `${ip}:0`,
      "X-Dovecot-Auth-Service": "imap",
    },
  };
}
