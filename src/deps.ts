import type { LoginLookup } from "./accounts/login-cache.js";
import type { RecentAttempts } from "./auth/recent-attempts.js";
import type { WeakFollowUp } from "./auth/weak-password.js";
import type { Background } from "./background.js";
import type { Blacklist } from "./blacklist/blacklist.js";
import type { Clock } from "./clock.js";
import type { Config } from "./config/config.js";
import type { Db } from "./db/database.js";
import type { Migration } from "./db/migrate.js";
import type { EventRecorder } from "./events/recorder.js";
import type { Housekeeping } from "./housekeeping.js";
import type { Logger } from "./log.js";
import type { Metrics } from "./metrics/metrics.js";
import type { PasswordHasher } from "./passwords/index.js";
import type { ReputationBook } from "./reputation/model.js";
import type { StrengthJudge } from "./strength/index.js";

/** Everything the service's parts need, built in one place (src/main.ts) and passed down. */
export interface Deps {
  config: Config;
  db: Db;
  log: Logger;
  clock: Clock;
  hasher: PasswordHasher;
  /** Account lookups for login, cached and invalidated by NOTIFY. */
  logins: LoginLookup;
  /** Judges passwords at login and when they are set. */
  strength: StrengthJudge;
  /** Finds accounts whose refused weak password was in fact right. */
  weak: WeakFollowUp;
  events: EventRecorder;
  /** Bans and allowlist, answered from memory, persisted in the database. */
  blacklist: Blacklist;
  /** Every recently seen address's reputation (in memory, per instance). */
  reputation: ReputationBook;
  /** Keys the password tags reputation keeps. */
  tagKey: Buffer;
  /** (address, login) pairs the passdb just saw, so policy reports do not count them twice. */
  recentAttempts: RecentAttempts;
  background: Background;
  /** Hourly deletion of old auth events and ban history. */
  housekeeping: Housekeeping;
  /** Prometheus counters and histograms, on a registry of this service's own. */
  metrics: Metrics;
  migrations: Migration[];
  /** The Dovecot client credentials in force (the secret may have been generated at first start). */
  dovecotClient: { id: string; secret: string };
  /** Bearer token Dovecot's auth-policy client sends. */
  policyToken: string;
}
