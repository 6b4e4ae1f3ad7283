// The mixed workload of issue 8: 80 % returning users, 15 % a bot net of 1,000 addresses trying
// dictionary words and leaked passwords, 5 % first logins, at a fixed rate against mailauth on
// PostgreSQL. Reports the legitimate users' latency, how many tries each bot got before its ban,
// and every legitimate user or address refused or banned (the goal is none).
//   make build && node dist/bench/mixed.js      (BENCH_MIXED_RATE, BENCH_MIXED_SECONDS)
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeMachine } from "./machine.js";
import { ROOT, startBenchService } from "./setup.js";
import {
  type Attempt,
  createPopulation,
  drawAttempts,
  quantile,
  type Reply,
  seeded,
  sendAtRate,
} from "./workload.js";

const RATE = Number(process.env.BENCH_MIXED_RATE ?? 400);
const SECONDS = Number(process.env.BENCH_MIXED_SECONDS ?? 90);

async function main() {
  const service = await startBenchService();
  try {
    await createPopulation(service);
    const attempts = drawAttempts(RATE * SECONDS, seeded(8));
    const replies: Reply[] = [];
    const started = performance.now();
    await sendAtRate(service.base, attempts, RATE, (reply) => replies.push(reply));
    const elapsed = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1500)); // events are written in batches every 250 ms

    const of = (kinds: Attempt["kind"][]) => replies.filter((r) => kinds.includes(r.attempt.kind));
    const legitimate = replies.filter((r) => r.attempt.legitimate);
    const wronglyRefused = legitimate.filter((r) => r.status === 400);
    const temporary = legitimate.filter((r) => r.status !== 200 && r.status !== 400);
    const botsSucceeded = of(["bot"]).filter((r) => r.status === 200);

    const bans = await service.query<{ network: string; reason: string; source: string }>(
      "SELECT network::text AS network, reason, source FROM bans",
    );
    const botBans = bans.filter((b) => b.network.startsWith("198.18.") || b.network.startsWith("198.19."));
    const otherBans = bans.filter((b) => !botBans.includes(b));
    const perBot = await service.query<{ ip: string; tries: string; refused: string }>(
      `SELECT host(ip) AS ip, count(*) FILTER (WHERE outcome <> 'banned') AS tries,
              count(*) FILTER (WHERE outcome = 'banned') AS refused
         FROM auth_events WHERE ip << '198.18.0.0/15' GROUP BY 1`,
    );
    const banned = new Set(botBans.map((b) => b.network.replace(/\/32$/, "")));
    const triesBeforeBan = perBot.filter((b) => banned.has(b.ip)).map((b) => Number(b.tries));
    const neverBanned = perBot.filter((b) => !banned.has(b.ip)).map((b) => Number(b.tries));
    const reasons = new Map<string, number>();
    for (const b of botBans) {
      const reason = b.reason.replace(/ \(score [\d.]+\)$/, "");
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }

    const latency = (rs: Reply[]) => {
      const ms = rs.map((r) => r.ms);
      return `${quantile(ms, 0.5).toFixed(1)} / ${quantile(ms, 0.99).toFixed(1)}`;
    };
    const count = (rs: Reply[], status: number) => rs.filter((r) => r.status === status).length;
    const kinds: [string, Attempt["kind"][]][] = [
      ["returning users, right password", ["returning"]],
      ["returning users, old phone with a stale password", ["stale"]],
      ["first logins ({SHA512-CRYPT} imported), right password", ["newcomer"]],
      ["first logins, typo before the right password", ["typo"]],
      ["bot net", ["bot"]],
    ];
    const lines = [
      "# Mixed workload: users and a bot net together",
      "",
      `Measured ${describeMachine()}; mailauth on a throwaway PostgreSQL 15 cluster on the same machine; ${attempts.length} requests offered at ${RATE}/s (open loop, sent in ${elapsed.toFixed(1)} s) over at most 64 keep-alive connections, as Dovecot's example opens. Made by \`make bench\` (bench/mixed.ts, population in bench/workload.ts, same seed every run).`,
      "",
      "Population: 2,000 returning users on {SSHA512} (1,800 each from an IPv6 /64 of their own, 200 behind 4 carrier-grade NAT addresses in 100.64.0.0/10; 3 % of their logins are an old phone with a stale password); 500 accounts imported on {SHA512-CRYPT} logging in for the first time from new addresses (one in ten after a typo); a bot net of 1,000 IPv4 addresses in 198.18.0.0/15 trying 16 dictionary words and 6 leaked passwords against existing and invented logins.",
      "",
      "| requests | count | 200 | 400 | other (temporary) | p50 / p99 ms |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...kinds.map(([name, k]) => {
        const rs = of(k);
        return `| ${name} | ${rs.length} | ${count(rs, 200)} | ${count(rs, 400)} | ${rs.length - count(rs, 200) - count(rs, 400)} | ${latency(rs)} |`;
      }),
      "",
      `**Legitimate logins** (right password, enabled account): ${legitimate.length}, p50 / p99 ${latency(legitimate)} ms. Wrongly refused: **${wronglyRefused.length}** (${new Set(wronglyRefused.map((r) => r.attempt.login)).size} users, ${new Set(wronglyRefused.map((r) => r.attempt.ip)).size} addresses); temporary failures: ${temporary.length}.`,
      "",
      `**Bans**: ${botBans.length} of the ${perBot.length} bot addresses seen were banned (${[...reasons].map(([r, n]) => `${r}: ${n}`).join(", ") || "none"}); other bans: **${otherBans.length}**${otherBans.length ? ` (${otherBans.map((b) => `${b.network} ${b.reason}`).join("; ")})` : " (no user's address, no NAT address)"}. Bots' logins that succeeded: ${botsSucceeded.length}.`,
      "",
      `**Tries before the ban**, per banned bot address (attempts that reached the password check or the weak-password judge; later ones were refused as banned): min ${Math.min(...triesBeforeBan)}, median ${quantile(triesBeforeBan, 0.5)}, p90 ${quantile(triesBeforeBan, 0.9)}, max ${Math.max(...triesBeforeBan)}. Not banned by the end: ${neverBanned.length} addresses, with ${neverBanned.length ? `median ${quantile(neverBanned, 0.5)} and max ${Math.max(...neverBanned)} tries` : "no tries"} (a clean address's single weak try is refused, not banned).`,
      "",
    ];
    writeFileSync(join(ROOT, "docs/BENCHMARKS-mixed.md"), lines.join("\n"));
    process.stdout.write(`${lines.join("\n")}\n`);
    if (wronglyRefused.length > 0 || otherBans.length > 0) process.exitCode = 1;
  } finally {
    await service.stop();
  }
}

await main();
