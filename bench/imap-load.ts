// An IMAP login load: C clients, each in a loop of connect, ID, LOGIN, LOGOUT, one fresh
// connection per login as mail clients and webmails do.
import { ImapClient } from "../test/e2e/clients/imap.js";

export interface ImapLogin {
  user: string;
  password: string;
  /** The client IP Dovecot sees (IMAP ID x-originating-ip; the bench connects from a trusted network). */
  ip: string;
}

export interface ImapLoadResult {
  /** Logins that succeeded and ended inside the measured window. */
  logins: number;
  perSecond: number;
  /** LOGIN command round trips, ms. */
  loginMs: number[];
  /** Whole connections, from connect to LOGOUT's answer, ms. */
  sessionMs: number[];
  failures: number;
  firstFailure: string | null;
}

export interface ImapLoadOptions {
  clients: number;
  warmupSeconds: number;
  seconds: number;
}

/** One login, timed; throws on a connection or protocol error, returns the LOGIN reply otherwise. */
async function timedLogin(port: number, login: ImapLogin) {
  const started = performance.now();
  const client = await ImapClient.connect(port);
  try {
    await client.id(login.ip);
    const sent = performance.now();
    const reply = await client.login(login.user, login.password);
    const answered = performance.now();
    await client.logout();
    const ended = performance.now();
    return { reply, loginMs: answered - sent, ended, sessionMs: ended - started };
  } catch (error) {
    await client.logout();
    throw error;
  }
}

/**
 * Logs the users in round-robin (a user is never logged in twice at once) for warm-up plus the
 * measured seconds; only logins ending inside the measured window count.
 */
export async function runImapLoad(
  port: number,
  logins: ImapLogin[],
  options: ImapLoadOptions,
): Promise<ImapLoadResult> {
  const measureFrom = performance.now() + options.warmupSeconds * 1000;
  const end = measureFrom + options.seconds * 1000;
  const result: ImapLoadResult = {
    logins: 0,
    perSecond: 0,
    loginMs: [],
    sessionMs: [],
    failures: 0,
    firstFailure: null,
  };
  let next = 0;
  const fail = (why: string) => {
    result.failures += 1;
    result.firstFailure ??= why;
  };
  const client = async () => {
    while (performance.now() < end) {
      const login = logins[next++ % logins.length] as ImapLogin;
      try {
        const { reply, loginMs, sessionMs, ended } = await timedLogin(port, login);
        if (!/^\S+ OK /.test(reply)) fail(`${login.user}: ${reply}`);
        else if (ended >= measureFrom && ended <= end) {
          result.logins += 1;
          result.loginMs.push(loginMs);
          result.sessionMs.push(sessionMs);
        }
      } catch (error) {
        fail(`${login.user}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  result.perSecond = result.logins / options.seconds;
  return result;
}

/** Logs every user in once with `clients` at a time; the replies that were not OK. */
export async function loginEveryone(port: number, logins: ImapLogin[], clients: number): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const client = async () => {
    for (let login = logins[next++]; login; login = logins[next++]) {
      try {
        const { reply } = await timedLogin(port, login);
        if (!/^\S+ OK /.test(reply)) failures.push(`${login.user}: ${reply}`);
      } catch (error) {
        failures.push(`${login.user}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return failures;
}

/** The q-quantile (0..1) of a list of numbers, nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
