// `make bench`: every benchmark in turn, each writing its own docs/BENCHMARKS-*.md, then an index
// in docs/BENCHMARKS.md. Figures are compared as ratios within one run: the machine is shared.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describeMachine } from "./machine.js";

const ROOT = resolve(import.meta.dirname, "../..");
const benches: { name: string; script: string; args?: string[]; output: string; capture?: boolean }[] = [
  { name: "Password hashing and the worker pool", script: "hashing.js", output: "BENCHMARKS-hashing.md" },
  { name: "HTTP: /dovecot/token and /dovecot/policy", script: "http.js", output: "BENCHMARKS-http.md" },
  { name: "Mixed workload: users and a bot net", script: "mixed.js", output: "BENCHMARKS-mixed.md" },
  { name: "Timing of failed logins", script: "timing.js", output: "BENCHMARKS-timing.md" },
  { name: "Soak: ten minutes at a steady rate", script: "soak.js", output: "BENCHMARKS-soak.md" },
  {
    name: "Password strength (zxcvbn)",
    script: "strength.js",
    output: "BENCHMARKS-strength.md",
    capture: true,
  },
  {
    name: "Ban/allow prefix matcher and reputation",
    script: "matcher.js",
    args: ["--expose-gc"],
    output: "BENCHMARKS-matcher.md",
  },
  { name: "nftables render and apply", script: "firewall.js", output: "BENCHMARKS-firewall.md" },
  {
    name: "IMAP logins through real Dovecot: SQL passdb vs mailauth",
    script: "dovecot.js",
    output: "BENCHMARKS-dovecot.md",
  },
];

// A bench's script name ("dovecot") picks that bench alone; anything else is a pattern over names
// and scripts (several benches' names mention Dovecot).
const chosen = benches.find((bench) => bench.script === `${process.argv[2]}.js`);
const only = process.argv[2] ? new RegExp(chosen ? `^${chosen.script}$` : process.argv[2], "i") : null;
const lines = ["# Benchmarks", "", `Last full run: ${describeMachine()}.`, ""];
let failed = 0;
for (const bench of benches) {
  if (only && !only.test(bench.script) && (chosen || !only.test(bench.name))) continue;
  process.stdout.write(`\n== ${bench.name} (bench/${bench.script.replace(".js", ".ts")})\n`);
  const result = spawnSync(
    process.execPath,
    [...(bench.args ?? []), join(ROOT, "dist/bench", bench.script)],
    {
      cwd: ROOT,
      stdio: bench.capture ? ["ignore", "pipe", "inherit"] : "inherit",
      encoding: "utf8",
    },
  );
  if (bench.capture && result.stdout) {
    process.stdout.write(result.stdout);
    writeFileSync(
      join(ROOT, "docs", bench.output),
      `# ${bench.name}\n\nMeasured ${describeMachine()}.\n\n${result.stdout}`,
    );
  }
  const ok = result.status === 0;
  if (!ok) failed++;
  lines.push(`- [${bench.name}](${bench.output})${ok ? "" : " (FAILED in the last run: see its output)"}`);
}
const index = join(ROOT, "docs/BENCHMARKS.md");
if (!only || !existsSync(index)) writeFileSync(index, `${lines.join("\n")}\n`);
else process.stdout.write(`\n(partial run: ${index} left as it was:\n${readFileSync(index, "utf8")})\n`);
process.exitCode = failed > 0 ? 1 : 0;
