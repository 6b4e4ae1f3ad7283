import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import pg from "pg";

/** Anything that runs a parameterised query: the database itself or an open transaction. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** The one database handle passed around in `deps`; PostgreSQL or the embedded PGlite. */
export interface Db extends Queryable {
  readonly kind: "postgres" | "embedded";
  /** Runs `fn` in one transaction, committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls `onMessage` for every NOTIFY on `channel`; resolves to an unsubscribe function.
   * `onLost` is told when the listening connection dies (notifications may have been missed).
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onLost?: () => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** PostgreSQL pool use, for metrics; absent on the embedded database. */
  stats?(): { total: number; idle: number; waiting: number };
}

// Keep inet/cidr/timestamps as the server prints them; int8 as JS numbers (ids and counts stay
// far below 2^53 here).
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `mailauth_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * Opens a pool on a real PostgreSQL server. `statementTimeoutMs` bounds each query as a whole:
 * waiting for a pooled connection, opening a new one and running the statement share that one
 * budget, so a database that stalls or crawls fails a login well inside Dovecot's own timeout
 * (timeout_msecs, 5 s in our examples) instead of after it.
 */
export function openPostgres(
  url: string,
  options: { max?: number; statementTimeoutMs?: number; heartbeatMs?: number } = {},
): Db {
  const budgetMs = options.statementTimeoutMs ?? 3000;
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  // Idle connections (and above all the LISTEN ones) must notice a peer that vanished without a
  // reset (a crashed host, a NAT or firewall that dropped the flow): the kernel's default is two
  // hours of silence. TCP keepalive after 30 s idle tells the kernel; the heartbeat below tells us.
  const keepAlive = { keepAlive: true, keepAliveInitialDelayMillis: 30_000 };
  const pool = new pg.Pool({
    connectionString: url,
    ...keepAlive,
    max: options.max ?? 10,
    connectionTimeoutMillis: budgetMs,
    statement_timeout: budgetMs,
    // Transactions' statements (not on the login path) are bounded one by one.
    query_timeout: budgetMs + 500,
  });
  // An idle client losing its connection emits here; without a listener the process would exit.
  pool.on("error", () => {});
  return {
    kind: "postgres",
    async query(sql, params) {
      const started = performance.now();
      const client = await pool.connect();
      let failure: Error | undefined;
      try {
        // Named statements are parsed and planned once per connection instead of on every login.
        const result = await client.query({
          name: statementName(sql),
          text: sql,
          values: params as unknown[],
          query_timeout: Math.max(1, Math.round(budgetMs - (performance.now() - started))),
        } as pg.QueryConfig);
        return result.rows;
      } catch (error) {
        failure = error as Error;
        throw error;
      } finally {
        // After a client-side timeout the connection still owes a reply: never reuse it.
        client.release(failure);
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      let failure: Error | undefined;
      try {
        await client.query("BEGIN");
        const value = await fn({
          async query(sql, params) {
            return (await client.query(sql, params as unknown[])).rows;
          },
          async exec(sql) {
            await client.query(sql);
          },
        });
        await client.query("COMMIT");
        return value;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        failure = error as Error;
        throw error;
      } finally {
        // A failed transaction's connection may be mid-reply (a timeout): never reuse it.
        client.release(failure);
      }
    },
    async listen(channel, onMessage, onLost) {
      // Bounded like queries: a frozen database must not hold a (re)subscription forever.
      const client = new pg.Client({
        connectionString: url,
        ...keepAlive,
        connectionTimeoutMillis: budgetMs,
        query_timeout: budgetMs,
      });
      // onLost is for a subscription that was up. A failed attempt is told by the rejection
      // alone: pg also emits "end" for it, and telling both made every caller retry twice, so
      // the attempts (and, once the database was back, LISTEN connections) doubled each round.
      let up = false;
      let ended = false;
      let heartbeat: NodeJS.Timeout | undefined;
      const lost = () => {
        if (!up || ended) return;
        ended = true;
        clearInterval(heartbeat);
        client.end().catch(() => {});
        onLost?.();
      };
      client.on("error", lost);
      client.on("end", lost);
      try {
        await client.connect();
        client.on("notification", (msg) => {
          if (msg.channel === channel) onMessage(msg.payload ?? "");
        });
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch (error) {
        ended = true;
        client.end().catch(() => {});
        throw error;
      }
      up = true;
      // A LISTEN connection only ever receives: without a query now and then, a database that
      // froze or a connection silently dropped on the way would go unnoticed, and every
      // notification (bans, password resets) after it missed. A failed or slow ping is a loss.
      heartbeat = setInterval(() => {
        client.query("SELECT 1").catch(lost);
      }, heartbeatMs).unref();
      return async () => {
        ended = true;
        clearInterval(heartbeat);
        await client.end().catch(() => {});
      };
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}

/** Opens the embedded PostgreSQL (PGlite), persisted in `dataDir` or in memory when it is null. */
export async function openEmbedded(dataDir: string | null): Promise<Db> {
  const { PGlite } = await import("@electric-sql/pglite");
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const lite = await PGlite.create(dataDir ? { dataDir } : undefined);
  return {
    kind: "embedded",
    async query(sql, params) {
      const result = await lite.query(sql, params as unknown[]);
      return result.rows as never[];
    },
    async exec(sql) {
      await lite.exec(sql);
    },
    async transaction(fn) {
      return lite.transaction(async (tx) =>
        fn({
          async query(sql, params) {
            return (await tx.query(sql, params as unknown[])).rows as never[];
          },
          async exec(sql) {
            await tx.exec(sql);
          },
        }),
      );
    },
    async listen(channel, onMessage) {
      const unsubscribe = await lite.listen(channel, onMessage);
      return async () => unsubscribe();
    },
    async close() {
      if (!lite.closed) await lite.close();
    },
  };
}
