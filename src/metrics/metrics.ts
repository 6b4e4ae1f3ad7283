import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ActiveBans } from "../blacklist/blacklist.js";
import type { BanRow } from "../blacklist/queries.js";
import { readLastSync } from "../firewall/state.js";
import type { PasswordHasher, PasswordHasherOptions } from "../passwords/index.js";

/** What the scrape-time gauges read; set once the service's parts exist (`watch`). */
export interface MetricSources {
  hasher: Pick<PasswordHasher, "stats">;
  /** MAILAUTH_HASH_QUEUE_MAX: verifications waiting beyond it are refused. */
  hashQueueMax: number;
  blacklist: { activeBans(): ActiveBans[] };
  db: { stats?(): { total: number; idle: number; waiting: number } };
  logins: { stats(): { hits: number; misses: number } };
  events: { stats(): { buffered: number; dropped: number; written: number } };
  /** Where `mailauth firewall sync` writes its last good sync. */
  firewallStateDir: string;
}

export type PolicyDecision = "allow" | "tarpit" | "refuse";

export interface Metrics {
  /** One registry per service (tests build many apps in one process). */
  registry: Registry;
  /** A finished login attempt: `outcome` as src/auth/attempt.ts records it. */
  login(service: string, outcome: string): void;
  policy(decision: PolicyDecision): void;
  banAdded(ban: Pick<BanRow, "source" | "reason">): void;
  /** Seconds a request took, by matched route (never the raw URL: unbounded label values). */
  request(route: string, seconds: number): void;
  /** The hash pool's report of one job (PasswordHasherOptions.onTimed). */
  hashTimed: NonNullable<PasswordHasherOptions["onTimed"]>;
  /** Starts the gauges that read the service's parts at scrape time. */
  watch(sources: MetricSources): void;
}

// Label values come from the network (Dovecot's service header, ban reasons): past this many
// distinct values a label becomes "other", so a misbehaving client cannot blow up the registry.
const MAX_LABEL_VALUES = 64;

/** Builds the service's metrics on a registry of its own, default process metrics included. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "mailauth_" });
  const registers = [registry];

  const logins = new Counter({
    name: "mailauth_logins_total",
    help: "Login attempts by Dovecot service and outcome",
    labelNames: ["service", "outcome"] as const,
    registers,
  });
  const policy = new Counter({
    name: "mailauth_policy_decisions_total",
    help: "Answers to Dovecot's auth-policy allow requests",
    labelNames: ["decision"] as const,
    registers,
  });
  const bansAdded = new Counter({
    name: "mailauth_bans_added_total",
    help: "Bans added by this instance, by source and reason category",
    labelNames: ["source", "category"] as const,
    registers,
  });
  const requests = new Histogram({
    name: "mailauth_http_request_duration_seconds",
    help: "HTTP request time by matched route",
    labelNames: ["route"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  // Split: a verification's own time says what the hash cost is; the wait says the pool is short
  // of workers. Digests verified inline, on the main thread, are in neither.
  const verification = new Histogram({
    name: "mailauth_password_verification_seconds",
    help: "Time a hash worker took to verify one password (unknown users' dummy ones included), queue wait excluded",
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const queueWait = new Histogram({
    name: "mailauth_hash_queue_wait_seconds",
    help: "Time a hash-pool job (a verification or a new hash) waited for a free worker",
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });

  // Handles per label combination: labels() hashes its arguments on every call.
  const loginHandles = new Map<string, Counter.Internal>();
  const requestHandles = new Map<string, Histogram.Internal<"route">>();
  const policyHandles = {
    allow: policy.labels("allow"),
    tarpit: policy.labels("tarpit"),
    refuse: policy.labels("refuse"),
  };
  const categories = new Set<string>();

  return {
    registry,
    hashTimed(op, waitSeconds, runSeconds) {
      queueWait.observe(waitSeconds);
      if (op === "verify") verification.observe(runSeconds);
    },
    login(service, outcome) {
      const key = `${service} ${outcome}`;
      let handle = loginHandles.get(key);
      if (!handle) {
        const bounded = loginHandles.size < MAX_LABEL_VALUES ? service : "other";
        handle = logins.labels(bounded, outcome);
        if (bounded === service) loginHandles.set(key, handle);
      }
      handle.inc();
    },
    policy(decision) {
      policyHandles[decision].inc();
    },
    banAdded(ban) {
      let category = ban.source === "manual" ? "manual" : banCategory(ban.reason);
      if (!categories.has(category)) {
        if (categories.size >= MAX_LABEL_VALUES) category = "other";
        else categories.add(category);
      }
      bansAdded.labels(ban.source, category).inc();
    },
    request(route, seconds) {
      let handle = requestHandles.get(route);
      if (!handle) {
        handle = requests.labels(route);
        if (requestHandles.size < MAX_LABEL_VALUES) requestHandles.set(route, handle);
      }
      handle.observe(seconds);
    },
    watch(sources) {
      watchSources(registers, sources);
    },
  };
}

/** "dictionary attack: 40 passwords on one login" → "dictionary_attack". */
export function banCategory(reason: string): string {
  const head = (reason.split(":")[0] ?? "")
    .trim()
    .toLowerCase()
    .replace(/[^a-z]+/g, "_");
  return /^[a-z_]{1,40}$/.test(head) ? head : "other";
}

function watchSources(registers: Registry[], s: MetricSources): void {
  const gauge = (name: string, help: string, collect: (g: Gauge) => void, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        collect(this);
      },
    });

  gauge("mailauth_hash_queue_depth", "Verifications waiting for a hash worker", (g) =>
    g.set(s.hasher.stats().queued),
  );
  gauge("mailauth_hash_running", "Verifications running in the hash workers", (g) =>
    g.set(s.hasher.stats().running),
  );
  gauge("mailauth_hash_workers", "Hash worker threads", (g) => g.set(s.hasher.stats().workers));
  gauge("mailauth_hash_queue_max", "Verifications that may wait before logins fail temporarily", (g) =>
    g.set(s.hashQueueMax),
  );
  gauge(
    "mailauth_bans_active",
    "Live bans by address family, source and whether they are permanent",
    (g) => {
      g.reset();
      for (const b of s.blacklist.activeBans()) {
        g.set({ family: b.family, source: b.source, permanent: String(b.permanent) }, b.count);
      }
    },
    ["family", "source", "permanent"],
  );
  // An unlabelled gauge always shows a value; with no sync yet the series must be absent (an
  // alert on time() - 0 would fire for hosts that do not use the firewall export at all).
  const lastSync = new Gauge({
    name: "mailauth_firewall_last_sync_timestamp_seconds",
    help: "When the last verified nftables sync finished (absent when there was none)",
    registers,
  });
  const read = lastSync.get.bind(lastSync);
  lastSync.get = async () => {
    const metric = await read();
    const last = readLastSync(s.firewallStateDir);
    return { ...metric, values: last ? [{ value: Date.parse(last.time) / 1000, labels: {} }] : [] };
  };
  if (s.db.stats) {
    const stats = s.db.stats.bind(s.db);
    gauge(
      "mailauth_db_pool_connections",
      "PostgreSQL pool connections by state (total, idle) and clients waiting for one",
      (g) => {
        const { total, idle, waiting } = stats();
        g.set({ state: "total" }, total);
        g.set({ state: "idle" }, idle);
        g.set({ state: "waiting" }, waiting);
      },
      ["state"],
    );
  }
  // The cache and the recorder keep their own running totals: exposed as counters at scrape.
  const totals = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  totals(
    "mailauth_login_cache_hits_total",
    "Login lookups answered from the cache",
    () => s.logins.stats().hits,
  );
  totals(
    "mailauth_login_cache_misses_total",
    "Login lookups that went to the database",
    () => s.logins.stats().misses,
  );
  totals(
    "mailauth_auth_events_written_total",
    "Auth events written to the database",
    () => s.events.stats().written,
  );
  totals(
    "mailauth_auth_events_dropped_total",
    "Auth events dropped (buffer full or write failed)",
    () => s.events.stats().dropped,
  );
  gauge("mailauth_auth_events_buffered", "Auth events waiting to be written", (g) =>
    g.set(s.events.stats().buffered),
  );
}
