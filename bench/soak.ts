// Ten minutes of the mixed workload at a steady rate, with a fresh bot net of 1,000 addresses
// every minute (so the reputation book, the blacklist and the events table keep growing), while
// mailauth's memory and event-loop lag are read from its /metrics every 30 s. Flat is the goal.
//   make build && node dist/bench/soak.js      (BENCH_SOAK_RATE, BENCH_SOAK_SECONDS)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeMachine } from "./machine.js";
import { ADMIN_TOKEN, ROOT, startBenchService } from "./setup.js";
import { createPopulation, drawAttempts, quantile, seeded, sendAtRate } from "./workload.js";

const RATE = Number(process.env.BENCH_SOAK_RATE ?? 300);
const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const EVERY_SECONDS = 30;
// mailauth's V8 heap is capped: memory that grew without bound would first slow it down with
// garbage collection (the event-loop lag column) and then kill it, so finishing at a flat lag
// bounds its live memory below this, whatever the RSS and heap samples do between collections.
const HEAP_CAP_MB = Number(process.env.BENCH_SOAK_HEAP_MB ?? 192);

interface Sample {
  at: number;
  rssMb: number;
  heapMb: number;
  lagP99Ms: number;
  bans: number;
  events: number;
  answered: number;
  legitimateP99Ms: number;
  wrong: number;
}

/** One gauge from Prometheus text, by exact name. */
function metric(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : Number.NaN;
}

async function main() {
  const service = await startBenchService({}, { nodeArgs: [`--max-old-space-size=${HEAP_CAP_MB}`] });
  try {
    await createPopulation(service);
    const perMinute = RATE * 60;
    const attempts = drawAttempts(RATE * SECONDS, seeded(10), (n) => Math.floor(n / perMinute));
    const samples: Sample[] = [];
    let window: number[] = [];
    let answered = 0;
    let wrong = 0;
    const started = performance.now();
    const sample = async () => {
      const text = await (
        await fetch(`${service.base}/metrics`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })
      ).text();
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${service.pid}/status`, "utf8"))?.[1];
      const [bans] = await service.query<{ n: string }>("SELECT count(*) AS n FROM bans");
      const [events] = await service.query<{ n: string }>("SELECT count(*) AS n FROM auth_events");
      samples.push({
        at: (performance.now() - started) / 1000,
        rssMb: Number(rss) / 1024,
        heapMb: metric(text, "mailauth_nodejs_heap_size_used_bytes") / 2 ** 20,
        lagP99Ms: metric(text, "mailauth_nodejs_eventloop_lag_p99_seconds") * 1000,
        bans: Number(bans?.n),
        events: Number(events?.n),
        answered,
        legitimateP99Ms: quantile(window, 0.99),
        wrong,
      });
      window = [];
    };
    await sample();
    const timer = setInterval(() => void sample(), EVERY_SECONDS * 1000);
    await sendAtRate(service.base, attempts, RATE, (reply) => {
      answered++;
      if (reply.attempt.legitimate) {
        window.push(reply.ms);
        if (reply.status !== 200) wrong++;
      }
    });
    clearInterval(timer);
    await sample();

    // Flat means: after the first two minutes (caches, JIT, pools filling), memory grows less than
    // it would if every request leaked, and the loop never stalls.
    const settled = samples.filter((s) => s.at >= Math.min(120, SECONDS / 5));
    const first = settled[0];
    const last = settled.at(-1);
    const growthMb = first && last ? last.rssMb - first.rssMb : Number.NaN;
    const requestsAfter = first && last ? last.answered - first.answered : 0;
    const maxLag = Math.max(...samples.map((s) => s.lagP99Ms));
    const lines = [
      "# Soak: ten minutes at a steady rate",
      "",
      `Measured ${describeMachine()}; mailauth on a throwaway PostgreSQL 15 cluster on the same machine; the mixed workload (bench/workload.ts) offered at ${RATE}/s for ${SECONDS} s with a fresh bot net of 1,000 addresses every minute; mailauth's resident memory (/proc), heap and event-loop lag (its /metrics, p99 since the previous read) every ${EVERY_SECONDS} s; mailauth ran with its V8 heap capped at ${HEAP_CAP_MB} MiB (\`--max-old-space-size\`), so that unbounded growth would show as garbage-collection lag and then a crash. Made by \`make bench\` (bench/soak.ts).`,
      "",
      "| s | RSS MiB | heap used MiB | event-loop lag p99 ms | requests answered | legitimate p99 ms (window) | legitimate refused | bans | auth events |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...samples.map(
        (s) =>
          `| ${s.at.toFixed(0)} | ${s.rssMb.toFixed(1)} | ${s.heapMb.toFixed(1)} | ${s.lagP99Ms.toFixed(1)} | ${s.answered} | ${Number.isNaN(s.legitimateP99Ms) ? "" : s.legitimateP99Ms.toFixed(1)} | ${s.wrong} | ${s.bans} | ${s.events} |`,
      ),
      "",
      `From ${first?.at.toFixed(0)} s to the end: RSS ${growthMb >= 0 ? "+" : ""}${growthMb.toFixed(1)} MiB over ${requestsAfter} requests (${((growthMb * 2 ** 20) / Math.max(1, requestsAfter)).toFixed(0)} bytes per request), while the blacklist grew to ${last?.bans} bans and the events table to ${last?.events} rows; the event loop's worst p99 over any ${EVERY_SECONDS} s was ${maxLag.toFixed(1)} ms. Legitimate logins refused over the whole run: ${wrong}.`,
      "",
    ];
    const alive = (() => {
      try {
        process.kill(service.pid, 0);
        return true;
      } catch {
        return false;
      }
    })();
    if (!alive) lines.push("**mailauth died during the run.**", "");
    writeFileSync(join(ROOT, "docs/BENCHMARKS-soak.md"), lines.join("\n"));
    process.stdout.write(`${lines.join("\n")}\n`);
    if (wrong > 0 || !alive) process.exitCode = 1;
  } finally {
    await service.stop();
  }
}

await main();
