// Can the time of a failed login tell an attacker anything? Requests of every kind of failure,
// interleaved at random and sent one at a time (the quietest server gives the cleanest timing),
// each from an address of its own; their response-time distributions are compared with a
// two-sample Kolmogorov-Smirnov test. A banned address's refusal, deliberately not held, is the
// control: the test must find that one different.
//   make build && node dist/bench/timing.js      (BENCH_TIMING_SAMPLES per kind, default 150)
import { writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import bcryptjs from "bcryptjs";
import { describeMachine } from "./machine.js";
import { insertUsers, ROOT, ssha512, startBenchService } from "./setup.js";
import { type Attempt, postAttempt, quantile, seeded } from "./workload.js";

const SAMPLES = Number(process.env.BENCH_TIMING_SAMPLES ?? 150);
const STRONG = "Horizon-plume-42-Vague";
const OTHER = "Falaise-brume-17-Orage";

interface Kind {
  name: string;
  login: string;
  password: string;
  status: number;
  control?: boolean;
}

const KINDS: Kind[] = [
  {
    name: "wrong password, bcrypt account (the reference)",
    login: "bcrypt@example.org",
    password: OTHER,
    status: 400,
  },
  { name: "unknown user", login: "nobody@example.org", password: OTHER, status: 400 },
  { name: "disabled account, right password", login: "disabled@example.org", password: STRONG, status: 400 },
  {
    name: "wrong password, {SSHA512} account (held)",
    login: "legacy@example.org",
    password: OTHER,
    status: 400,
  },
  {
    name: "weak password, existing account (held)",
    login: "bcrypt@example.org",
    password: "azerty123",
    status: 400,
  },
  {
    name: "weak password, unknown user (held)",
    login: "nobody@example.org",
    password: "soleil",
    status: 400,
  },
  {
    name: "banned address (not held: the control)",
    login: "bcrypt@example.org",
    password: OTHER,
    status: 400,
    control: true,
  },
];

/** Two-sample Kolmogorov-Smirnov: the largest gap between the two empirical CDFs, and its p-value. */
export function kolmogorovSmirnov(a: number[], b: number[]): { d: number; p: number } {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i] as number, y[j] as number);
    while (i < x.length && (x[i] as number) <= v) i++;
    while (j < y.length && (y[j] as number) <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const n = (x.length * y.length) / (x.length + y.length);
  const lambda = (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)) * d;
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
  return { d, p: Math.min(1, Math.max(0, p)) };
}

async function main() {
  const service = await startBenchService({ MAILAUTH_BCRYPT_COST: "10" });
  try {
    const hash = `{BLF-CRYPT}${bcryptjs.hashSync(STRONG, 10)}`;
    await insertUsers(service, [
      ["bcrypt@example.org", hash],
      ["disabled@example.org", hash],
      ["legacy@example.org", ssha512(STRONG)],
    ]);
    await service.query("UPDATE users SET enabled = false WHERE email = 'disabled@example.org'");
    await service.query(
      "INSERT INTO bans (network, reason, source, level, created_at, expires_at, first_seen, last_seen) VALUES ('192.0.2.0/24', 'bench', 'manual', 1, now(), now() + interval '1 day', now(), now())",
    );
    await new Promise((r) => setTimeout(r, 1500)); // the server hears of the ban through NOTIFY

    // Every request from an address of its own: a failure's reputation never builds up to a ban.
    const random = seeded(5);
    const attempts: [Kind, Attempt][] = [];
    KINDS.forEach((kind, k) => {
      for (let i = 0; i < SAMPLES; i++) {
        const ip = kind.control
          ? `192.0.2.${(i % 250) + 1}`
          : `[2001:db8:${(k + 16).toString(16)}:${i.toString(16)}::1]`;
        attempts.push([
          kind,
          { kind: "bot", login: kind.login, password: kind.password, ip, legitimate: false },
        ]);
      }
    });
    for (let i = attempts.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [attempts[i], attempts[j]] = [attempts[j] as [Kind, Attempt], attempts[i] as [Kind, Attempt]];
    }
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // Warm-up: the strength verdicts, the login cache, the first verification timings.
    for (const kind of KINDS)
      await postAttempt(service.base, agent, {
        kind: "bot",
        login: kind.login,
        password: kind.password,
        ip: "[2001:db8:ff::1]",
        legitimate: false,
      });
    const times = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
    for (const [kind, attempt] of attempts) {
      const reply = await postAttempt(service.base, agent, attempt);
      if (reply.status !== kind.status)
        throw new Error(`${kind.name}: answered ${reply.status}, expected ${kind.status}`);
      times.get(kind)?.push(reply.ms);
    }
    agent.destroy();

    const reference = times.get(KINDS[0] as Kind) ?? [];
    // Five comparisons at once: each is held to 0.01 / 5 so that the family's false alarm rate
    // stays at 1 % (Bonferroni). The raw p-values are shown.
    const compared = KINDS.filter((k) => k !== KINDS[0] && !k.control).length;
    const alpha = 0.01 / compared;
    const rows = KINDS.map((kind) => {
      const ms = times.get(kind) ?? [];
      const { d, p } = kolmogorovSmirnov(reference, ms);
      const verdict = kind === KINDS[0] ? "" : p > alpha ? "indistinguishable" : "**different**";
      return `| ${kind.name} | ${ms.length} | ${quantile(ms, 0.1).toFixed(1)} | ${quantile(ms, 0.5).toFixed(1)} | ${quantile(ms, 0.9).toFixed(1)} | ${kind === KINDS[0] ? "" : d.toFixed(3)} | ${kind === KINDS[0] ? "" : p.toFixed(3)} | ${verdict} |`;
    });
    const failed = KINDS.slice(1).filter((kind) => {
      const { p } = kolmogorovSmirnov(reference, times.get(kind) ?? []);
      return kind.control ? p > alpha : p <= alpha;
    });
    // What a weak guess's time could tell about the account: existing against unknown login.
    const weakExisting = times.get(KINDS[4] as Kind) ?? [];
    const weakUnknown = times.get(KINDS[5] as Kind) ?? [];
    const weakPair = kolmogorovSmirnov(weakExisting, weakUnknown);
    const lines = [
      "# Timing: what a failed login's time tells",
      "",
      `Measured ${describeMachine()}; mailauth with bcrypt cost 10 on a throwaway PostgreSQL 15 cluster on the same machine; ${SAMPLES} requests per kind, all kinds shuffled together and sent one at a time over one keep-alive connection, each from an address of its own. Made by \`make bench\` (bench/timing.ts).`,
      "",
      `Each distribution is compared with the reference (a wrong password on a bcrypt account) by a two-sample Kolmogorov-Smirnov test: D is the largest gap between the two cumulative distributions, p the chance of a gap at least that large if both came from one distribution. With five comparisons, each is held to p > ${alpha.toFixed(3)} (0.01 / 5, Bonferroni) to be read as indistinguishable. The banned address's refusal is not held (docs/passwords.md, "Timing") and is there as the control: the test must find it different, or it could find nothing.`,
      "",
      "| kind | n | p10 ms | p50 ms | p90 ms | KS D | p | |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
      ...rows,
      "",
      `Weak password on an existing account against one on an unknown login (what the time of a weak guess could say about the account): D = ${weakPair.d.toFixed(3)}, p = ${weakPair.p.toFixed(3)}.`,
      "",
      failed.length === 0
        ? "Every failure kind is indistinguishable from a wrong password, and the control is told apart."
        : `Not as expected: ${failed.map((k) => k.name).join("; ")}.`,
      "",
    ];
    writeFileSync(join(ROOT, "docs/BENCHMARKS-timing.md"), lines.join("\n"));
    process.stdout.write(`${lines.join("\n")}\n`);
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    await service.stop();
  }
}

await main();
