/**
 * What judging a password costs: load, a cache miss for typical passwords, a 1,000-character
 * password (through the prefix cut), a cache hit, and the worst inputs at several prefix lengths.
 * Run: npx tsc -p . && node dist/bench/strength.js   (prints a markdown table)
 */
import { cpus } from "node:os";

const rssBefore = process.memoryUsage().rss;
const loadStart = performance.now();
const { createStrengthJudge, DEFAULT_STRENGTH_SETTINGS, JUDGED_PREFIX } = await import(
  "../src/strength/index.js"
);
const { estimate } = await import("../src/strength/estimator.js");
const { userInputsFor } = await import("../src/strength/user-inputs.js");
const loadMs = performance.now() - loadStart;
const loadMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;

const PRINTABLE = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join("");
const WORDS =
  "soleil chaton marseille bonjour dragon football loulou princesse nicolas camille azerty monkey summer chocolat liberte paris sunshine maison jardin tigre lavande falaise".split(
    " ",
  );
const LOGIN = "jean.dupont@exemple.fr";

let seed = 42;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const randomText = (length: number, alphabet = PRINTABLE): string =>
  Array.from({ length }, () => alphabet.charAt(Math.floor(random() * alphabet.length))).join("");

/** What users type: word+number, l33t word, random, passphrase, Capitalised compound. */
function typicalPassword(i: number): string {
  switch (i % 5) {
    case 0:
      return pick(WORDS) + Math.floor(random() * 3000);
    case 1:
      return `${pick(WORDS).replace(/a/g, "@").replace(/o/g, "0").replace(/e/g, "3")}!`;
    case 2:
      return randomText(8 + Math.floor(random() * 9));
    case 3:
      return [pick(WORDS), pick(WORDS), pick(WORDS), pick(WORDS)].join(pick(["-", " ", "."]));
    default:
      return `${pick(WORDS)}${pick(WORDS)}${Math.floor(random() * 100)}${pick([..."!?$*."])}`;
  }
}

/** Inputs that make zxcvbn work hardest, cut to `n` characters. */
const WORST: Record<string, (n: number) => string> = {
  "random printable": (n) => randomText(n),
  "every l33t symbol": (n) => "|1!7|+@4($5{[<0382%".repeat(n).slice(0, n),
  "repeated l33t word": (n) => "p@$$w0rd".repeat(n).slice(0, n),
  "digits and dates": (n) => "1990123119851024".repeat(n).slice(0, n),
  "French words": (n) => "motdepassesoleilchatonmarseille".repeat(n).slice(0, n),
};

function timeOnce(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}
function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
}
const ms = (value: number): string => (value >= 10 ? value.toFixed(0) : value.toFixed(2));

const judge = createStrengthJudge(DEFAULT_STRENGTH_SETTINGS);
const firstCallMs = timeOnce(() => judge.judgeLogin("premier-appel", LOGIN));

for (let i = 0; i < 300; i++) judge.judgeLogin(`warm-${typicalPassword(i)}`, LOGIN); // JIT warm-up
const typical = Array.from({ length: 1000 }, (_, i) => typicalPassword(i));
const typicalMs = typical.map((password, i) =>
  timeOnce(() => judge.judgeLogin(password, `user${i}@exemple.fr`)),
);

const longMs = Array.from({ length: 20 }, () => randomText(1000)).map((p) =>
  timeOnce(() => judge.judgeLogin(p, LOGIN)),
);
const longWorstMs = Object.values(WORST).map((make) => timeOnce(() => judge.judgeLogin(make(1000), LOGIN)));

judge.judgeLogin("azerty123", LOGIN);
const HITS = 200_000;
const hitUs =
  (timeOnce(() => {
    for (let i = 0; i < HITS; i++) judge.judgeLogin("azerty123", LOGIN);
  }) *
    1000) /
  HITS;
const hit1000Us = (() => {
  const long = randomText(1000);
  judge.judgeLogin(long, LOGIN);
  return (
    (timeOnce(() => {
      for (let i = 0; i < 20_000; i++) judge.judgeLogin(long, LOGIN);
    }) *
      1000) /
    20_000
  );
})();

const inputs = userInputsFor(LOGIN, []);
const PREFIXES = [16, 32, 64, 100];
const worstByPrefix = Object.entries(WORST).map(([name, make]) => {
  const cells = PREFIXES.map((n) => {
    const runs = Array.from({ length: 7 }, () => timeOnce(() => estimate(make(n), inputs)));
    return ms(quantile(runs, 0.5));
  });
  return `| ${name} | ${cells.join(" | ")} |`;
});

const cpu = cpus()[0]?.model ?? "unknown";
console.log(`Machine: ${cpu}, ${cpus().length} cores, Node ${process.version}. Prefix judged: ${JUDGED_PREFIX} characters.

| what | time |
|---|---|
| load (zxcvbn + French lists), RSS | ${ms(loadMs)} ms, +${loadMb.toFixed(0)} MB |
| first judgeLogin after load | ${ms(firstCallMs)} ms |
| typical password, cache miss: median / p90 / p99 / max | ${ms(quantile(typicalMs, 0.5))} / ${ms(quantile(typicalMs, 0.9))} / ${ms(quantile(typicalMs, 0.99))} / ${ms(Math.max(...typicalMs))} ms |
| 1,000 random characters, cache miss: median / max | ${ms(quantile(longMs, 0.5))} / ${ms(Math.max(...longMs))} ms |
| 1,000 characters of the worst shapes below, cache miss: max | ${ms(Math.max(...longWorstMs))} ms |
| cache hit (azerty123) | ${hitUs.toFixed(2)} µs |
| cache hit (1,000 characters) | ${hit1000Us.toFixed(2)} µs |

zxcvbn time (ms, median of 7) on the worst shapes, by prefix length:

| input | ${PREFIXES.map((n) => `N=${n}`).join(" | ")} |
|---|${PREFIXES.map(() => "---").join("|")}|
${worstByPrefix.join("\n")}`);
