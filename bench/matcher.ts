/**
 * What the ban matcher and the reputation book cost: build time and lookups per second with
 * 100,000 bans (mixed /32, /24, IPv6 /64 and /48), hits and misses; the worst case of every
 * prefix length in use; and ReputationBook.observe() per event.
 * Run: npx tsc -p . && node --expose-gc dist/bench/matcher.js > docs/BENCHMARKS-matcher.md
 */
import { cpus, loadavg } from "node:os";
import { PrefixMatcher } from "../src/net/prefix-matcher.js";
import { type Evidence, type Outcome, passwordTag, ReputationBook } from "../src/reputation/model.js";

const BANS = 100_000;
const PROBES = 200_000;

// mulberry32: a seeded generator whose state stays within 32-bit integer arithmetic.
let seed = 42;
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const int = (n: number): number => Math.floor(random() * n);
const v4 = (w: number): string => `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
const hex = (): string => int(65536).toString(16);
/** A public-looking IPv6 address: 2001:db8::/32 keeps it readable, the rest random. */
const v6 = (): string => `2001:db8:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}`;

interface Ban {
  cidr: string;
  /** An address inside the ban, to probe a hit. */
  inside: string;
}

function randomBan(i: number): Ban {
  const kind = i % 10;
  if (kind < 4) {
    const ip = v4(int(2 ** 32));
    return { cidr: ip, inside: ip };
  }
  if (kind < 6) {
    const net = int(2 ** 24);
    return { cidr: `${v4(net * 256)}/24`, inside: v4(net * 256 + int(256)) };
  }
  const [a, b, c] = [hex(), hex(), hex()];
  if (kind < 9)
    return { cidr: `2001:${a}:${b}:${c}::/64`, inside: `2001:${a}:${b}:${c}:${hex()}:${hex()}::${hex()}` };
  return { cidr: `2001:${a}:${b}::/48`, inside: `2001:${a}:${b}:${hex()}::${hex()}` };
}

function time<T>(run: () => T): { ms: number; result: T } {
  const start = performance.now();
  const result = run();
  return { ms: performance.now() - start, result };
}

/** Lookups per second over `ips`, best of three passes (the first also warms the JIT). */
function lookupsPerSecond(
  matcher: PrefixMatcher<number>,
  ips: string[],
): { perSecond: number; found: number } {
  let best = Number.POSITIVE_INFINITY;
  let found = 0;
  for (let pass = 0; pass < 3; pass++) {
    found = 0;
    const { ms } = time(() => {
      for (const ip of ips) if (matcher.any(ip)) found++;
    });
    best = Math.min(best, ms);
  }
  return { perSecond: (ips.length / best) * 1000, found };
}

const rows: string[] = [];
const row = (...cells: (string | number)[]): void => {
  rows.push(`| ${cells.join(" | ")} |`);
};
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

// 1. The realistic ban list.
const bans = Array.from({ length: BANS }, (_, i) => randomBan(i));
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const matcher = new PrefixMatcher<number>();
const build = time(() => {
  for (const [i, ban] of bans.entries()) matcher.add(ban.cidr, i);
});
global.gc?.();
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

const pick = <T>(items: T[]): T => items[int(items.length)] as T;
const v4Bans = bans.filter((b) => !b.cidr.includes(":"));
const v6Bans = bans.filter((b) => b.cidr.includes(":"));
const probes = {
  "IPv4 hit": Array.from({ length: PROBES }, () => pick(v4Bans).inside),
  "IPv4 miss": Array.from({ length: PROBES }, () => v4(int(2 ** 32))),
  "IPv6 hit": Array.from({ length: PROBES }, () => pick(v6Bans).inside),
  "IPv6 miss": Array.from({ length: PROBES }, v6),
  "IPv4-mapped IPv6 hit": Array.from({ length: PROBES }, () => `::ffff:${pick(v4Bans).inside}`),
};

row(
  "100,000 bans: build",
  `${build.ms.toFixed(0)} ms`,
  `${fmt((BANS / build.ms) * 1000)} adds/s`,
  `${heapMb.toFixed(1)} MB heap`,
);
for (const [name, ips] of Object.entries(probes)) {
  const { perSecond, found } = lookupsPerSecond(matcher, ips);
  row(
    `lookup, ${name}`,
    `${(1e9 / perSecond).toFixed(0)} ns`,
    `${fmt(perSecond)} /s`,
    `${((found / ips.length) * 100).toFixed(1)} % found`,
  );
}

// 2. Worst case: every prefix length in use, so a lookup reads 25 IPv4 and 113 IPv6 maps.
const worst = new PrefixMatcher<number>();
for (let i = 0; i < BANS; i++) {
  if (i % 2 === 0) worst.add(`${v4(int(2 ** 32))}/${8 + (i % 25)}`, i);
  else worst.add(`${v6()}/${16 + (i % 113)}`, i);
}
for (const [name, ips] of [
  ["IPv4", probes["IPv4 miss"]],
  ["IPv6", probes["IPv6 miss"]],
] as const) {
  const { perSecond } = lookupsPerSecond(worst, ips);
  row(
    `worst case (every prefix length in use), ${name}`,
    `${(1e9 / perSecond).toFixed(0)} ns`,
    `${fmt(perSecond)} /s`,
    "",
  );
}

// 3. The reputation book. Events are built beforehand so only observe() is timed.
const KEY = Buffer.from("bench key");
const outcomes: Outcome[] = ["ok", "ok", "ok", "wrong_password", "unknown_user", "weak_password"];
const EVENTS = 300_000;
const t0 = Date.UTC(2026, 0, 1);
const tags = Array.from({ length: 20 }, (_, i) => `guess-${i}`);
function makeEvents(ipOf: (i: number) => string): Evidence[] {
  return Array.from({ length: EVENTS }, (_, i) => {
    const outcome = pick(outcomes);
    const login = `user${int(5000)}@example.org`;
    const at = new Date(t0 + i * 10);
    const ip = ipOf(i);
    return outcome === "ok"
      ? { at, ip, login, outcome }
      : { at, ip, login, outcome, passwordTag: passwordTag(KEY, login, pick(tags)) };
  });
}
const ipPool = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? v6() : v4(int(2 ** 32))));
for (const [name, ipOf] of [
  ["2,000 IPs, each past its set caps (about 90 distinct failures)", () => pick(ipPool)],
  ["a new IP every event (eviction at 50,000 keys)", () => (int(3) === 0 ? v6() : v4(int(2 ** 32)))],
] as const) {
  const events = makeEvents(ipOf);
  const book = new ReputationBook();
  for (const e of events.slice(0, 20_000)) book.observe(e);
  const observed = time(() => {
    for (const e of events) book.observe(e);
  });
  row(
    `ReputationBook.observe(), ${name}`,
    `${((observed.ms * 1e6) / EVENTS).toFixed(0)} ns`,
    `${fmt((EVENTS / observed.ms) * 1000)} /s`,
    `${fmt(book.size)} keys`,
  );
  const judged = time(() => {
    for (const e of events) book.judge(e.ip, e.at);
  });
  row(
    `ReputationBook.judge(), ${name}`,
    `${((judged.ms * 1e6) / EVENTS).toFixed(0)} ns`,
    `${fmt((EVENTS / judged.ms) * 1000)} /s`,
    "",
  );
}

// Memory of a full book: 50,000 keys, each with 10 failures over 3 logins and 2 successes.
{
  const events: Evidence[] = [];
  for (let k = 0; k < 50_000; k++) {
    const ip = k % 3 === 0 ? v6() : v4(int(2 ** 32));
    for (let j = 0; j < 12; j++) {
      const login = `user${j % 3}@example.org`;
      const at = new Date(t0 + k * 12 + j);
      events.push(
        j < 2
          ? { at, ip, login: `ok${j}`, outcome: "ok" }
          : { at, ip, login, outcome: "wrong_password", passwordTag: `t${j}` },
      );
    }
  }
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const book = new ReputationBook();
  for (const e of events) book.observe(e);
  global.gc?.();
  const bytes = process.memoryUsage().heapUsed - before;
  row(
    "ReputationBook memory, 50,000 keys (10 failures on 3 logins + 2 successes each)",
    "",
    "",
    `${(bytes / 2 ** 20).toFixed(1)} MB heap, ${fmt(bytes / book.size)} B per key`,
  );
}

const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
console.log(`# Ban matcher and reputation benchmark

Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; load average ${loadavg()[0]?.toFixed(2)} at start.
Produced by \`npx tsc -p . && node --expose-gc dist/bench/matcher.js\` (the heap figures need \`--expose-gc\`); figures move 10-20 % between runs.
Bans: 40 % IPv4 /32, 20 % IPv4 /24, 30 % IPv6 /64, 10 % IPv6 /48, random. A lookup is \`any(ip)\` on
address text as Dovecot sends it, parsing included; the best of three passes over ${fmt(PROBES)} addresses.

| what | per operation | rate | note |
|---|---|---|---|
${rows.join("\n")}

Goal: a lookup in microseconds (it runs before every login), a 100,000-entry list built in well
under a second (at start, and again when another instance replaces the list).
`);
