import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createLoginLookup } from "./accounts/login-cache.js";
import { createWeakPasswordNotifier } from "./accounts/weak-notify.js";
import { newTagKey } from "./auth/attempt.js";
import { createRecentAttempts } from "./auth/recent-attempts.js";
import { createWeakFollowUp } from "./auth/weak-password.js";
import { type Background, createBackground } from "./background.js";
import { createBlacklist } from "./blacklist/blacklist.js";
import { builtinAllow } from "./blacklist/builtin-allow.js";
import { type Clock, systemClock } from "./clock.js";
import type { Config } from "./config/config.js";
import { type Db, openEmbedded, openPostgres } from "./db/database.js";
import { embeddedPaths, lockEmbedded } from "./db/embedded-lock.js";
import { loadMigrations, type Migration, migrate } from "./db/migrate.js";
import type { Deps } from "./deps.js";
import { createEventRecorder } from "./events/recorder.js";
import { startHousekeeping } from "./housekeeping.js";
import type { Logger } from "./log.js";
import { createMetrics } from "./metrics/metrics.js";
import { createPasswordHasher } from "./passwords/index.js";
import { ReputationBook } from "./reputation/model.js";
import { createStrengthJudge } from "./strength/index.js";

/** The repository's migrations folder, found from this file in src/ or in dist/src/. */
export const MIGRATIONS_DIR = [
  resolve(fileURLToPath(import.meta.url), "../../migrations"),
  resolve(fileURLToPath(import.meta.url), "../../../migrations"),
].find((dir) => existsSync(dir)) as string;

export class DatabaseBusyError extends Error {
  constructor(readonly holder: number) {
    super(`the embedded database is open in another mailauth process (pid ${holder})`);
  }
}

/** Opens the configured database (taking the embedded lock when it is PGlite) and migrates it. */
export async function openDatabase(
  config: Config,
): Promise<{ db: Db; migrations: Migration[]; applied: Migration[]; release(): Promise<void> }> {
  const migrations = loadMigrations(MIGRATIONS_DIR);
  let db: Db;
  let unlock = () => {};
  if (config.databaseUrl) {
    db = openPostgres(config.databaseUrl, { max: config.dbPoolMax, statementTimeoutMs: config.dbTimeoutMs });
  } else {
    const lock = lockEmbedded(config.dataDir);
    if (!lock.ok) throw new DatabaseBusyError(lock.holder);
    unlock = lock.release;
    try {
      db = await openEmbedded(embeddedPaths(config.dataDir).database);
    } catch (error) {
      unlock();
      throw error;
    }
  }
  try {
    if (config.databaseUrl) await reachable(db, config.databaseUrl);
    const applied = await migrate(db, migrations);
    return {
      db,
      migrations,
      applied,
      async release() {
        await db.close();
        unlock();
      },
    };
  } catch (error) {
    await db.close().catch(() => {});
    unlock();
    throw error;
  }
}

// Errors that mean the server at MAILAUTH_DATABASE_URL was not reached or let no one in, as
// opposed to a failure of the migrations themselves.
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNRESET",
]);

/** Asks the PostgreSQL server one question, so that not reaching it names the setting to fix. */
async function reachable(db: Db, url: string): Promise<void> {
  try {
    await db.query("SELECT 1");
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    // Node gives an AggregateError with no message when every address of a name refused.
    const what = message || code || String(error);
    const where = `MAILAUTH_DATABASE_URL (${withoutSecrets(url)})`;
    if (code && UNREACHABLE.has(code)) throw new Error(`cannot reach the database at ${where}: ${what}`);
    // 28xxx: authentication; 3D000: no such database.
    if (code && (code.startsWith("28") || code === "3D000"))
      throw new Error(`the database at ${where} refused the connection: ${what}`);
    throw error;
  }
}

/** A database URL to show: its password and query (which may hold one) left out. */
export function withoutSecrets(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${parsed.username}@` : "";
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return "not a URL";
  }
}

/**
 * A secret (Dovecot client secret, policy token): configured, or generated once and kept (mode
 * 0600) in the data dir so that restarts keep it. Returns where it lives so the operator can be
 * told; never the value in anything that is logged.
 */
export function keptSecret(
  config: Config,
  name: string,
  configured: string | null,
): { secret: string; file: string | null; generated: boolean } {
  if (configured) return { secret: configured, file: null, generated: false };
  const file = join(config.dataDir, name);
  if (existsSync(file)) return { secret: readFileSync(file, "utf8").trim(), file, generated: false };
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(24).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  return { secret, file, generated: true };
}

/** Builds the service's dependencies around an open database. */
export async function buildDeps(
  config: Config,
  log: Logger,
  db: Db,
  migrations: Migration[],
  options: { clock?: Clock; clientSecret: string; policyToken: string },
): Promise<Deps> {
  const background: Background = createBackground(log);
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();
  const hasher = createPasswordHasher({
    bcryptCost: config.bcryptCost,
    workers: config.hashWorkers,
    queueMax: config.hashQueueMax,
    onTimed: metrics.hashTimed,
  });
  const logins = await createLoginLookup(db, config.userdbDefaults, log);
  const notifyWeak = createWeakPasswordNotifier(config.weakNotify, log);
  const blacklist = await createBlacklist({
    db,
    log,
    clock,
    escalation: config.escalation,
    builtinAllow: builtinAllow(config.trustedNetworks),
    onBan: (ban) => metrics.banAdded(ban),
  });
  const events = createEventRecorder(db, log, { maxBuffered: config.eventBufferMax });
  metrics.watch({
    hasher,
    hashQueueMax: config.hashQueueMax,
    blacklist,
    db,
    logins,
    events,
    firewallStateDir: config.firewall.stateDir,
  });
  const reputation = new ReputationBook(config.reputation);
  return {
    config,
    db,
    log,
    clock,
    hasher,
    logins,
    strength: createStrengthJudge(config.strength),
    weak: createWeakFollowUp({ db, logins, hasher, background, log, clock, notifyWeak }),
    events,
    blacklist,
    reputation,
    tagKey: newTagKey(),
    recentAttempts: createRecentAttempts(),
    background,
    housekeeping: startHousekeeping({
      db,
      log,
      clock,
      reputation,
      escalation: config.escalation,
      eventRetentionDays: config.eventRetentionDays,
    }),
    metrics,
    migrations,
    dovecotClient: { id: config.dovecot.clientId, secret: options.clientSecret },
    policyToken: options.policyToken,
  };
}

/** Stops the parts in the order that loses nothing: background work, then events, then pools. */
export async function closeDeps(deps: Deps): Promise<void> {
  await deps.housekeeping.stop();
  await deps.background.drain();
  await deps.blacklist.close();
  await deps.events.close();
  await deps.hasher.close();
  await deps.logins.close();
}
