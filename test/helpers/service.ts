import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { addUser as addAccount, NO_FIELDS } from "../../src/accounts/accounts.js";
import { setEnabled, type UserFields, upsertDomain } from "../../src/accounts/queries.js";
import type { Clock } from "../../src/clock.js";
import { configFromEnv } from "../../src/config/config.js";
import type { Db } from "../../src/db/database.js";
import { createLogger } from "../../src/log.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { type DatabaseKind, freshDatabase } from "./databases.js";
import { keepOutput, rememberSecret, rememberSecretEnv } from "./log-audit.js";

export const TEST_CLIENT_SECRET = "test-client-secret-0123456789";

/** Every log line the test services wrote, so the suite can check no secret ever reached one. */
export const capturedLogs: string[] = [];

export interface TestService {
  server: RunningServer;
  url: string;
  databaseUrl: string | null;
  /** Turns every query of the login path into a failure (database down). */
  failDatabase(on: boolean): void;
  addUser(email: string, password: string, fields?: Partial<UserFields>): Promise<void>;
  addDomain(name: string, defaults: Partial<UserFields>): Promise<void>;
  setEnabled(email: string, enabled: boolean): Promise<void>;
  close(): Promise<void>;
}

/** A real mailauth listening on a free loopback port, on its own fresh database. */
export async function startTestService(
  options: { kind?: DatabaseKind; env?: Record<string, string>; clock?: Clock } = {},
): Promise<TestService> {
  const kind = options.kind ?? "embedded";
  const dataDir = mkdtempSync(join(tmpdir(), "mailauth-test-"));
  const database = kind === "postgres" ? await freshDatabase(kind, { migrated: false }) : null;
  if (database) await database.db.close();
  const parsed = configFromEnv({
    MAILAUTH_DATA_DIR: dataDir,
    MAILAUTH_LISTEN: "127.0.0.1:0",
    MAILAUTH_DOVECOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
    MAILAUTH_BCRYPT_COST: "4",
    MAILAUTH_HASH_WORKERS: "2",
    MAILAUTH_LOG_LEVEL: "debug",
    ...(database?.url ? { MAILAUTH_DATABASE_URL: database.url } : {}),
    ...options.env,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  rememberSecretEnv({ MAILAUTH_DOVECOT_CLIENT_SECRET: TEST_CLIENT_SECRET, ...options.env });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      capturedLogs.push(String(chunk));
      keepOutput(String(chunk));
      done();
    },
  });
  // Like a database that went away: queries fail and LISTEN connections are lost.
  let failing = false;
  const lostListeners = new Set<() => void>();
  const failure = () => Promise.reject(new Error("connection terminated (simulated database failure)"));
  let realDb: Db | undefined;
  const wrapDb = (db: Db): Db => {
    realDb = db;
    return {
      ...db,
      query: (sql, params) => (failing ? failure() : db.query(sql, params)),
      exec: (sql) => (failing ? failure() : db.exec(sql)),
      transaction: (fn) => (failing ? failure() : db.transaction(fn)),
      async listen(channel, onMessage, onLost) {
        if (failing) return failure();
        const unlisten = await db.listen(channel, onMessage);
        const lost = () => {
          lostListeners.delete(lost);
          unlisten();
          onLost?.();
        };
        lostListeners.add(lost);
        return async () => {
          lostListeners.delete(lost);
          await unlisten();
        };
      },
    };
  };
  const server = await startServer(parsed.config, createLogger(parsed.config, sink), {
    clock: options.clock,
    wrapDb,
  });
  const { deps } = server;
  const direct = realDb as Db;

  return {
    server,
    url: server.url,
    databaseUrl: database?.url ?? null,
    failDatabase(on) {
      failing = on;
      if (on) for (const lost of [...lostListeners]) lost();
    },
    async addUser(email, password, fields = {}) {
      rememberSecret(password);
      // Tests add weak passwords on purpose (to log in with them), so the set policy is waived.
      const accountDeps = { db: direct, hasher: deps.hasher, strength: deps.strength };
      const result = await addAccount(
        accountDeps,
        email,
        { password },
        { ...NO_FIELDS, ...fields },
        { allowWeak: true },
      );
      if (!result.ok) throw new Error(result.reason);
    },
    async addDomain(name, defaults) {
      await upsertDomain(direct, name, { ...NO_FIELDS, ...defaults });
    },
    async setEnabled(email, enabled) {
      await setEnabled(direct, email, enabled);
    },
    async close() {
      // Every hash the service stored or upgraded is a secret its logs must not hold either.
      const hashes = await direct
        .query<{ password_hash: string }>("SELECT password_hash FROM users")
        .catch(() => []);
      rememberSecret(...hashes.map((row) => row.password_hash));
      await server.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
