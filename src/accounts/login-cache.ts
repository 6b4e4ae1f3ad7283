import { LRUCache } from "lru-cache";
import type { Db } from "../db/database.js";
import type { Logger } from "../log.js";
import { findLogin, type LoginRow, type UserdbDefaults } from "./queries.js";

export const ACCOUNTS_CHANNEL = "mailauth_accounts";

/** Looks accounts up for login, from memory when it can. */
export interface LoginLookup {
  find(email: string): Promise<LoginRow | null>;
  stats(): { size: number; hits: number; misses: number; listening: boolean };
  close(): Promise<void>;
}

export interface LoginCacheOptions {
  max?: number;
  ttlMs?: number;
}

/**
 * A login's account row costs a database round trip, the largest part of a fast-hash login. This
 * keeps rows (and "no such account") in an LRU. Correctness rests on NOTIFY: a trigger announces
 * every change to users and domains (migrations/0002), every instance drops what changed at
 * once, and the TTL bounds staleness should a notification ever be missed. While the LISTEN
 * connection is down nothing is cached, and a generation counter stops a lookup that raced a
 * change from caching what it read before the change.
 */
export async function createLoginLookup(
  db: Db,
  defaults: UserdbDefaults,
  log: Logger,
  options: LoginCacheOptions = {},
): Promise<LoginLookup> {
  const cache = new LRUCache<string, { row: LoginRow | null }>({
    max: options.max ?? 100_000,
    ttl: options.ttlMs ?? 60_000,
  });
  let generation = 0;
  let hits = 0;
  let misses = 0;
  let unlisten: (() => Promise<void>) | null = null;
  let closed = false;

  const onChange = (payload: string) => {
    generation++;
    if (payload === "*" || payload === "") cache.clear();
    else cache.delete(payload);
  };

  const subscribe = async () => {
    try {
      unlisten = await db.listen(ACCOUNTS_CHANNEL, onChange, () => {
        // The connection dropped: forget everything and stop caching until listening again.
        unlisten = null;
        generation++;
        cache.clear();
        if (!closed) setTimeout(subscribe, 1000).unref();
      });
    } catch (error) {
      log.warn(
        { err: (error as Error).message },
        "cannot LISTEN for account changes; login lookups are not cached",
      );
      if (!closed) setTimeout(subscribe, 5000).unref();
    }
  };
  await subscribe();

  return {
    async find(email) {
      const cached = unlisten ? cache.get(email) : undefined;
      if (cached) {
        hits++;
        return cached.row;
      }
      misses++;
      const before = generation;
      const row = await findLogin(db, email, defaults);
      if (unlisten && generation === before) cache.set(email, { row });
      return row;
    },
    stats: () => ({ size: cache.size, hits, misses, listening: unlisten !== null }),
    async close() {
      closed = true;
      await unlisten?.();
      cache.clear();
    },
  };
}
