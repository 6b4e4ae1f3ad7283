import type { Queryable } from "../db/database.js";
import type { Blocklist } from "./blocklist.js";

// ---------------------------------------------------------------------------------------------
// SQL FOR THE LEAD TO CHECK: written against the expected schema of the bans work, not yet merged:
//   bans(network cidr, expires_at timestamptz null, lifted_at timestamptz null)
//   allowlist(network cidr, expires_at timestamptz null)
// A ban is active when not lifted and not expired; an allowlist entry when not expired.
// ---------------------------------------------------------------------------------------------
const ACTIVE_BANS_SQL = `
  SELECT network::text AS network, expires_at
    FROM bans
   WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $1)`;

const ACTIVE_ALLOWLIST_SQL = `
  SELECT network::text AS network
    FROM allowlist
   WHERE expires_at IS NULL OR expires_at > $1`;

interface BanRow {
  network: string;
  expires_at: Date | string | null;
}

/**
 * The active bans and allowlist at `now`, plus `allow` (built-in entries such as loopback). The
 * two reads need no common snapshot: whatever changes between them is caught a minute later.
 */
export async function loadBlocklist(db: Queryable, now: Date, allow: readonly string[]): Promise<Blocklist> {
  const bans = await db.query<BanRow>(ACTIVE_BANS_SQL, [now]);
  const allowed = await db.query<{ network: string }>(ACTIVE_ALLOWLIST_SQL, [now]);
  return {
    bans: bans.map((row) => ({
      network: row.network,
      expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    })),
    allow: [...allowed.map((row) => row.network), ...allow],
  };
}
