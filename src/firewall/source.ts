import { liveAllows, liveBans } from "../blacklist/queries.js";
import type { Queryable } from "../db/database.js";
import type { Blocklist } from "./blocklist.js";

/**
 * The bans and allowlist in force at `now` (the blacklist's own queries), plus `allow`: the
 * built-in entries (loopback, this host, trusted networks) that live only in memory. The two
 * reads need no common snapshot: whatever changes between them is caught at the next sync.
 */
export async function loadBlocklist(db: Queryable, now: Date, allow: readonly string[]): Promise<Blocklist> {
  const [bans, allowed] = await Promise.all([liveBans(db, now), liveAllows(db, now)]);
  return {
    bans: bans.map((row) => ({ network: row.network, expiresAt: row.expires_at })),
    allow: [...allowed.map((row) => row.network), ...allow],
  };
}
