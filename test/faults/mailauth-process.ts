import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { serve } from "../cli/run-cli.js";
import { rememberSecret } from "../helpers/log-audit.js";
import { freePort } from "../helpers/postgres-cluster.js";

export const CLIENT_SECRET = "faults-client-secret-0123456789";
export const POLICY_TOKEN = "faults-policy-token-0123456789";
export const ADMIN_TOKEN = "faults-admin-token-0123456789";

/** `timeout_msecs` from our Dovecot example: how long Dovecot waits for /dovecot/token. */
export const DOVECOT_TIMEOUT_MS = Number(
  /^timeout_msecs\s*=\s*(\d+)/m.exec(
    readFileSync(resolve(import.meta.dirname, "../../examples/dovecot/2.3/dovecot-oauth2.conf.ext"), "utf8"),
  )?.[1],
);

/** Dovecot's auth-policy client gives up after 2 s (and then allows the login). */
export const POLICY_TIMEOUT_MS = 2000;

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  /** Time from sending the request to the whole reply. */
  ms: number;
}

/** `mailauth serve` from the build, in a process of its own that a test can SIGKILL. */
export interface MailauthProcess {
  url: string;
  pid: number;
  logs(): string;
  /** Still the same process: not exited, not crashed. */
  alive(): boolean;
  token(username: string, password: string, ip: string): Promise<Reply>;
  policy(command: "allow" | "report", body: Record<string, unknown>): Promise<Reply>;
  admin(method: string, path: string, body?: unknown): Promise<Reply>;
  get(path: string): Promise<Reply>;
  /** The sum of every series of a metric from GET /metrics. */
  metric(name: string): Promise<number>;
  kill9(): Promise<void>;
  /** SIGTERM; resolves to the exit code. */
  stop(): Promise<number | null>;
}

export { rememberSecret };

async function timed(url: string, init: RequestInit): Promise<Reply> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, body, ms: performance.now() - started };
}

/** Starts mailauth on `databaseUrl` and waits until it answers. */
export async function startMailauth(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<MailauthProcess> {
  for (const s of [CLIENT_SECRET, POLICY_TOKEN, ADMIN_TOKEN]) rememberSecret(s);
  const dataDir = mkdtempSync(join(tmpdir(), "mailauth-faults-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await serve(
    {
      MAILAUTH_DATA_DIR: dataDir,
      MAILAUTH_LISTEN: `127.0.0.1:${port}`,
      MAILAUTH_DATABASE_URL: databaseUrl,
      MAILAUTH_DOVECOT_CLIENT_SECRET: CLIENT_SECRET,
      MAILAUTH_POLICY_TOKEN: POLICY_TOKEN,
      MAILAUTH_ADMIN_TOKEN: ADMIN_TOKEN,
      MAILAUTH_BCRYPT_COST: "4",
      MAILAUTH_HASH_WORKERS: "1",
      ...env,
    },
    url,
  );
  let expectingExit = false;
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  void exited.then((code) => {
    // A crash would otherwise show only as the next request's ECONNRESET: say why it died.
    if (!expectingExit) {
      const tail = child.logs().split("\n").slice(-40).join("\n");
      process.stderr.write(
        `mailauth ${child.pid} exited unexpectedly (code ${code}, ${child.signalCode}):\n${tail}\n`,
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  const json = { "content-type": "application/json" };
  return {
    url,
    pid: child.pid as number,
    logs: child.logs,
    alive: () => child.exitCode === null && child.signalCode === null,
    token: (username, password, ip) =>
      timed(`${url}/dovecot/token`, {
        method: "POST",
        headers: { "x-dovecot-auth-remote": `${ip}:0`, "x-dovecot-auth-service": "imap" },
        body: new URLSearchParams({
          grant_type: "password",
          username,
          password,
          client_id: "dovecot",
          client_secret: CLIENT_SECRET,
        }),
      }),
    policy: (command, body) =>
      timed(`${url}/dovecot/policy?command=${command}`, {
        method: "POST",
        headers: { ...json, authorization: `Bearer ${POLICY_TOKEN}` },
        body: JSON.stringify({ protocol: "imap", pwhash: "0000", ...body }),
      }),
    admin: (method, path, body) =>
      timed(`${url}/admin/v1${path}`, {
        method,
        headers: { ...json, authorization: `Bearer ${ADMIN_TOKEN}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    get: (path) => timed(`${url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
    async metric(name) {
      const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      let sum = 0;
      for (const line of (await response.text()).split("\n")) {
        const match = /^([a-z_]+)(?:\{[^}]*\})? (\S+)$/.exec(line);
        if (match?.[1] === name) sum += Number(match[2]);
      }
      return sum;
    },
    async kill9() {
      expectingExit = true;
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      expectingExit = true;
      child.kill("SIGTERM");
      return exited;
    },
  };
}

/** Runs one statement on its own connection. */
export async function sql<R extends object>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** A new empty database on the cluster at `adminUrl`; mailauth migrates it when it starts. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await sql(adminUrl, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  return adminUrl.replace(/\/[^/]*$/, `/${name}`);
}

/** Polls `check` every 50 ms until it returns a value other than undefined, or throws after `ms`. */
export async function eventually<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
