import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { type FirewallSettings, firewallSettingsFromEnv } from "../firewall/config.js";
import { DEFAULT_ESCALATION, type EscalationSettings } from "../reputation/escalation.js";
import { DEFAULT_REPUTATION, type ReputationSettings } from "../reputation/model.js";
import { banSettingsFromEnv } from "../reputation/settings-env.js";
import {
  DEFAULT_STRENGTH_SETTINGS,
  type StrengthSettings,
  strengthSettingsFromEnv,
} from "../strength/index.js";
import { type Env, EnvReader } from "./env-reader.js";

/** Everything mailauth reads from its environment, validated once at start. */
export interface Config {
  databaseUrl: string | null;
  dataDir: string;
  listen: { host: string; port: number };
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  logFormat: "json" | "pretty";
  dbPoolMax: number;
  dbTimeoutMs: number;
  /** Auth events kept in memory while the database cannot take them; the oldest go first. */
  eventBufferMax: number;
  /** Auth events older than this many days are deleted (src/housekeeping.ts). */
  eventRetentionDays: number;
  bcryptCost: number;
  /** Replace older schemes and lower costs with current bcrypt after a successful login. */
  upgradeHashes: boolean;
  hashWorkers: number;
  hashQueueMax: number;
  /** Userdb fields for accounts whose user row and domain both leave them unset. */
  userdbDefaults: { home: string; mail: string; uid: number; gid: number; quotaRule: string };
  /** Weak-password policies at login and when a password is set (docs/weak-passwords.md). */
  strength: StrengthSettings;
  /** Told when an account's real password turns out weak: a command, a webhook, or neither. */
  weakNotify: { command: string | null; url: string | null };
  /** Reputation model and ban escalation (docs/reputation.md). */
  reputation: ReputationSettings;
  escalation: EscalationSettings;
  /** Networks never banned besides loopback and this host's own addresses (webmail, proxies). */
  trustedNetworks: string[];
  /** nftables export and sync (docs/firewall.md). */
  firewall: FirewallSettings;
  /** Bearer token of the auth-policy endpoint; null: generated and kept in the data dir. */
  policyToken: string | null;
  /** Bearer token of the admin API (/admin/v1); null: the admin API answers 401 to everyone. */
  adminToken: string | null;
  /** Serve /metrics without a token (a scraper on a private network). */
  metricsPublic: boolean;
  dovecot: {
    clientId: string;
    /** null: generated on first start and kept in the data dir. */
    clientSecret: string | null;
    failureStyle: "dovecot23" | "dovecot24";
    tokenTtlSeconds: number;
  };
}

export type { Env };

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Reads the settings from an env object (tests pass a literal); every error names its setting. */
export function configFromEnv(env: Env, cwd = process.cwd()): ConfigResult {
  const errors: string[] = [];
  const read = new EnvReader(env, errors);

  const dataDir = resolve(cwd, read.string("MAILAUTH_DATA_DIR", "./var/data") ?? "./var/data");
  const config: Config = {
    databaseUrl: read.string("MAILAUTH_DATABASE_URL", null, (v) =>
      /^postgres(ql)?:\/\//.test(v) ? null : "must start with postgres:// or postgresql://",
    ),
    dataDir,
    listen: read.listen("MAILAUTH_LISTEN", "127.0.0.1:8080"),
    logLevel: read.oneOf("MAILAUTH_LOG_LEVEL", LOG_LEVELS, "info"),
    logFormat: read.oneOf("MAILAUTH_LOG_FORMAT", ["json", "pretty"] as const, "json"),
    dbPoolMax: read.int("MAILAUTH_DB_POOL_MAX", 10, 1, 500),
    dbTimeoutMs: read.int("MAILAUTH_DB_TIMEOUT_MS", 3000, 100, 60_000),
    eventBufferMax: read.int("MAILAUTH_EVENT_BUFFER_MAX", 50_000, 10, 5_000_000),
    eventRetentionDays: read.int("MAILAUTH_EVENT_RETENTION_DAYS", 90, 1, 3650),
    bcryptCost: read.int("MAILAUTH_BCRYPT_COST", 10, 4, 15),
    upgradeHashes: read.bool("MAILAUTH_UPGRADE_HASHES", true),
    hashWorkers: read.int("MAILAUTH_HASH_WORKERS", availableParallelism(), 1, 256),
    hashQueueMax: read.int("MAILAUTH_HASH_QUEUE_MAX", 256, 1, 100_000),
    userdbDefaults: {
      home: read.string("MAILAUTH_DEFAULT_HOME", "/var/vmail/%d/%n") ?? "",
      mail: read.string("MAILAUTH_DEFAULT_MAIL", "maildir:~/Maildir") ?? "",
      uid: read.int("MAILAUTH_DEFAULT_UID", 5000, 1, 2 ** 31 - 1),
      gid: read.int("MAILAUTH_DEFAULT_GID", 5000, 1, 2 ** 31 - 1),
      // 0 is "no limit" to Dovecot's quota plugin.
      quotaRule: read.string("MAILAUTH_DEFAULT_QUOTA_RULE", "*:storage=0") ?? "",
    },
    strength: read.merge(strengthSettingsFromEnv(env), DEFAULT_STRENGTH_SETTINGS),
    weakNotify: {
      command: read.string("MAILAUTH_WEAK_NOTIFY_COMMAND", null),
      url: read.string("MAILAUTH_WEAK_NOTIFY_URL", null, (v) =>
        /^https?:\/\//.test(v) ? null : "must be an http:// or https:// URL",
      ),
    },
    ...read.merge(banSettingsFromEnv(env), {
      reputation: DEFAULT_REPUTATION,
      escalation: DEFAULT_ESCALATION,
    }),
    trustedNetworks: read.list("MAILAUTH_TRUSTED_NETWORKS", (v) =>
      /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(v) ? null : "must be addresses or networks (CIDR), comma-separated",
    ),
    firewall: read.merge(firewallSettingsFromEnv(env, dataDir), firewallSettingsFallback(dataDir)),
    policyToken: read.string("MAILAUTH_POLICY_TOKEN", null, (v) =>
      v.length >= 16 ? null : "must be at least 16 characters",
    ),
    adminToken: read.string("MAILAUTH_ADMIN_TOKEN", null, (v) =>
      v.length >= 16 ? null : "must be at least 16 characters",
    ),
    metricsPublic: read.bool("MAILAUTH_METRICS_PUBLIC", false),
    dovecot: {
      clientId: read.string("MAILAUTH_DOVECOT_CLIENT_ID", "dovecot") ?? "dovecot",
      clientSecret: read.string("MAILAUTH_DOVECOT_CLIENT_SECRET", null, (v) =>
        v.length >= 16 ? null : "must be at least 16 characters",
      ),
      failureStyle: read.oneOf(
        "MAILAUTH_DOVECOT_FAILURE_STYLE",
        ["dovecot23", "dovecot24"] as const,
        "dovecot23",
      ),
      tokenTtlSeconds: read.int("MAILAUTH_TOKEN_TTL_SECONDS", 3600, 1, 86_400),
    },
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}

/** Only used when the firewall settings had errors (the config is refused then anyway). */
function firewallSettingsFallback(dataDir: string): FirewallSettings {
  const parsed = firewallSettingsFromEnv({}, dataDir);
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  return parsed.settings;
}
