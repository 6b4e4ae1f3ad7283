// A mail host's day in miniature, for the mixed and soak benches: returning users (some behind a
// carrier's NAT, a few with a stale password on an old phone), first logins of accounts imported
// from a Dovecot SQL table, and a bot net trying dictionary words and leaked passwords. Requests
// go out at a fixed rate (open loop: a slow reply does not slow the offered load, as with real
// clients) over keep-alive connections, as many as Dovecot's example opens.
import { Agent, request } from "node:http";
import { encrypt } from "unixcrypt";
import { type BenchService, grantForm, insertUsers, ssha512 } from "./setup.js";

export type Kind = "returning" | "stale" | "newcomer" | "typo" | "bot";

export interface Attempt {
  kind: Kind;
  login: string;
  password: string;
  /** As Dovecot sends it: bracketed when IPv6. */
  ip: string;
  /** A right password of an enabled account: anything but 200 is a wrong refusal. */
  legitimate: boolean;
}

export interface Reply {
  attempt: Attempt;
  status: number;
  ms: number;
}

const RETURNING = 2000;
const BEHIND_NAT = 200; // the last 200 returning users share 4 carrier-grade NAT addresses
const NEWCOMERS = 500;
const BOTS = 1000;

const returningPassword = (i: number) => `Lune-${i}-vague-Orage`;
const stalePassword = (i: number) => `Ancien-${i}-mot-Passe`;
const newcomerPassword = (i: number) => `Neuf-${i}-compte-Etoile`;

/** Where a returning user logs in from: a /64 of its own, or one of 4 shared NAT addresses. */
export const homeOf = (i: number) =>
  i >= RETURNING - BEHIND_NAT ? `100.64.0.${(i % 4) + 1}` : `[2001:db8:100:${i.toString(16)}::1]`;
/** A bot's address, in 198.18.0.0/15 (the benchmarking range), `generation` for the soak's fresh bots. */
export const botAddress = (i: number, generation = 0) => {
  const n = generation * BOTS + i;
  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
};

// What bot nets try: French and English dictionary words, keyboard walks, and passwords from
// public breaches (some of which our judge also finds weak).
const DICTIONARY = [
  "azerty123",
  "motdepasse",
  "soleil",
  "123456",
  "password",
  "marseille13",
  "doudou59",
  "qwerty",
  "loulou",
  "chouchou",
  "bonjour1",
  "iloveyou",
  "football",
  "nicolas",
  "camille",
  "princesse",
];
const LEAKED = [
  "Summer2019!xK",
  "P@ssw0rd2020!",
  "Liverpool#1987",
  "Tr0ub4dor&3z",
  "Fl0wer-P0wer77",
  "Dragon!Fly2018",
];
const INVENTED = [
  "admin",
  "info",
  "contact",
  "test",
  "webmaster",
  "sales",
  "support",
  "marie",
  "jean",
  "office",
];

/** Makes the accounts: returning users on {SSHA512}, newcomers imported on {SHA512-CRYPT}. */
export async function createPopulation(service: BenchService): Promise<void> {
  const users: [string, string][] = [];
  for (let i = 0; i < RETURNING; i++) users.push([`r${i}@example.org`, ssha512(returningPassword(i))]);
  for (let i = 0; i < NEWCOMERS; i++)
    users.push([
      `n${i}@example.org`,
      `{SHA512-CRYPT}${encrypt(newcomerPassword(i), `$6$bench${i.toString(36)}`)}`,
    ]);
  await insertUsers(service, users);
}

/**
 * Draws the attempts of a run, in order: 80 % returning users (3 % of them an old phone with a
 * stale password), 15 % the bot net, 5 % first logins (one in ten after a typo). `generation`
 * (of the attempt's index) moves the bot net to fresh addresses (the soak: bots come and go).
 */
export function drawAttempts(
  count: number,
  random: () => number,
  generation: (n: number) => number = () => 0,
): Attempt[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const attempts: Attempt[] = [];
  let newcomer = 0;
  for (let n = 0; n < count; n++) {
    const roll = random();
    if (roll < 0.8) {
      const i = Math.floor(random() * RETURNING);
      const stale = random() < 0.03;
      attempts.push({
        kind: stale ? "stale" : "returning",
        login: `r${i}@example.org`,
        password: stale ? stalePassword(i) : returningPassword(i),
        ip: homeOf(i),
        legitimate: !stale,
      });
    } else if (roll < 0.95) {
      const target = random() < 0.6 ? `r${Math.floor(random() * RETURNING)}` : pick(INVENTED);
      attempts.push({
        kind: "bot",
        login: `${target}@example.org`,
        password: random() < 0.6 ? pick(DICTIONARY) : pick(LEAKED),
        ip: botAddress(Math.floor(random() * BOTS), generation(n)),
        legitimate: false,
      });
    } else {
      const i = newcomer++ % NEWCOMERS;
      const ip = `[2001:db8:200:${i.toString(16)}::1]`;
      if (random() < 0.1)
        attempts.push({
          kind: "typo",
          login: `n${i}@example.org`,
          password: `${newcomerPassword(i)}x`,
          ip,
          legitimate: false,
        });
      attempts.push({
        kind: "newcomer",
        login: `n${i}@example.org`,
        password: newcomerPassword(i),
        ip,
        legitimate: true,
      });
    }
  }
  return attempts;
}

/**
 * Sends `attempts` to /dovecot/token at `rate` per second, `connections` at most in flight per
 * keep-alive connection pool, and hands each reply to `onReply`. Resolves when all are answered.
 */
export async function sendAtRate(
  base: string,
  attempts: Attempt[],
  rate: number,
  onReply: (reply: Reply) => void,
  connections = 64,
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const send = (attempt: Attempt) => postAttempt(base, agent, attempt).then(onReply);

  const pending: Promise<void>[] = [];
  const started = performance.now();
  let next = 0;
  // Every 10 ms, send what is due by now: the offered load does not wait for replies.
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const due = Math.min(attempts.length, Math.floor(((performance.now() - started) / 1000) * rate));
      while (next < due) pending.push(send(attempts[next++] as Attempt));
      if (next >= attempts.length) {
        clearInterval(timer);
        done();
      }
    }, 10);
  });
  await Promise.all(pending);
  agent.destroy();
}

/** Posts one attempt to /dovecot/token as Dovecot does; status 0 when the connection failed. */
export function postAttempt(base: string, agent: Agent, attempt: Attempt): Promise<Reply> {
  return new Promise((resolve) => {
    const started = performance.now();
    const body = grantForm(attempt.login, attempt.password);
    const req = request(
      new URL("/dovecot/token", base),
      {
        method: "POST",
        agent,
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Content-Length": Buffer.byteLength(body),
          "X-Dovecot-Auth-Remote": `${attempt.ip}:0`,
          "X-Dovecot-Auth-Service": "imap",
        },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({ attempt, status: res.statusCode ?? 0, ms: performance.now() - started }),
        );
      },
    );
    req.on("error", () => resolve({ attempt, status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

/** The q-quantile (0..1) of `values`, sorted in place. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? Number.NaN;
}

/** A seeded generator (mulberry32), so every run draws the same attempts. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
