import type { Queryable } from "../db/database.js";

/** A ban as stored. Times are Date; `expires_at` null means permanent. */
export interface BanRow {
  id: number;
  network: string;
  reason: string;
  source: "auto" | "manual";
  level: number;
  created_at: Date;
  expires_at: Date | null;
  review_at: Date | null;
  lifted_at: Date | null;
  lifted_reason: string | null;
  hits: number;
  first_seen: Date;
  last_seen: Date;
}

export interface AllowRow {
  id: number;
  network: string;
  reason: string;
  created_at: Date;
  expires_at: Date | null;
}

const BAN_COLUMNS = `id, network::text AS network, reason, source, level, created_at, expires_at, review_at,
  lifted_at, lifted_reason, hits, first_seen, last_seen`;

// PGlite and pg both return timestamptz as Date; normalise anyway (text from older drivers).
const asDate = (v: unknown) =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v));
function banOf(row: BanRow): BanRow {
  return {
    ...row,
    created_at: asDate(row.created_at) as Date,
    expires_at: asDate(row.expires_at),
    review_at: asDate(row.review_at),
    lifted_at: asDate(row.lifted_at),
    first_seen: asDate(row.first_seen) as Date,
    last_seen: asDate(row.last_seen) as Date,
    hits: Number(row.hits),
  };
}

/** Bans in force at `now`. */
export async function liveBans(db: Queryable, now: Date): Promise<BanRow[]> {
  const rows = await db.query<BanRow>(
    `SELECT ${BAN_COLUMNS} FROM bans WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $1) ORDER BY id`,
    [now],
  );
  return rows.map(banOf);
}

/** Allowlist entries in force at `now`. */
export async function liveAllows(db: Queryable, now: Date): Promise<AllowRow[]> {
  const rows = await db.query<AllowRow>(
    `SELECT id, network::text AS network, reason, created_at, expires_at FROM allowlist
      WHERE expires_at IS NULL OR expires_at > $1 ORDER BY id`,
    [now],
  );
  return rows.map((r) => ({
    ...r,
    created_at: asDate(r.created_at) as Date,
    expires_at: asDate(r.expires_at),
  }));
}

/** Earlier bans of this network or any network overlapping it since `since`: the offence count. */
export async function offencesSince(db: Queryable, network: string, since: Date): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM bans WHERE (network >>= $1::cidr OR network <<= $1::cidr) AND created_at >= $2",
    [network, since],
  );
  return Number(row?.n ?? 0);
}

/** Every ban of networks holding `ip` or inside `network`, newest first (for `ip show`). */
export async function banHistory(db: Queryable, network: string): Promise<BanRow[]> {
  const rows = await db.query<BanRow>(
    `SELECT ${BAN_COLUMNS} FROM bans WHERE network >>= $1::cidr OR network <<= $1::cidr ORDER BY created_at DESC LIMIT 50`,
    [network],
  );
  return rows.map(banOf);
}

export interface NewBan {
  network: string;
  reason: string;
  source: "auto" | "manual";
  level: number;
  now: Date;
  expiresAt: Date | null;
  reviewAt: Date | null;
}

/**
 * Records a ban; the previous live ban of exactly this network (if any) is lifted in the same
 * transaction and returned as `replaced`.
 */
export async function insertBan(db: Queryable, ban: NewBan): Promise<{ ban: BanRow; replaced: BanRow[] }> {
  const replaced = await db.query<BanRow>(
    `UPDATE bans SET lifted_at = $2, lifted_reason = 'replaced by a new ban'
      WHERE network = $1::cidr AND lifted_at IS NULL RETURNING ${BAN_COLUMNS}`,
    [ban.network, ban.now],
  );
  const [row] = await db.query<BanRow>(
    `INSERT INTO bans (network, reason, source, level, created_at, expires_at, review_at, first_seen, last_seen)
     VALUES ($1::cidr, $2, $3, $4, $5, $6, $7, $5, $5) RETURNING ${BAN_COLUMNS}`,
    [ban.network, ban.reason, ban.source, ban.level, ban.now, ban.expiresAt, ban.reviewAt],
  );
  return { ban: banOf(row as BanRow), replaced: replaced.map(banOf) };
}

/** Lifts the live bans of networks inside or equal to `network`; returns them. */
export async function liftBans(db: Queryable, network: string, reason: string, now: Date): Promise<BanRow[]> {
  const rows = await db.query<BanRow>(
    `UPDATE bans SET lifted_at = $2, lifted_reason = $3
      WHERE network <<= $1::cidr AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
      RETURNING ${BAN_COLUMNS}`,
    [network, now, reason],
  );
  return rows.map(banOf);
}

/** Adds the refused attempts counted in memory since the last flush. */
export async function addHits(
  db: Queryable,
  hits: { id: number; count: number; last: Date }[],
): Promise<void> {
  if (hits.length === 0) return;
  await db.query(
    `UPDATE bans SET hits = bans.hits + h.count, last_seen = greatest(bans.last_seen, h.last)
       FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) AS h(id, count, last) WHERE bans.id = h.id`,
    [hits.map((h) => h.id), hits.map((h) => h.count), hits.map((h) => h.last)],
  );
}

export async function insertAllow(
  db: Queryable,
  network: string,
  reason: string,
  expiresAt: Date | null,
): Promise<AllowRow> {
  const [row] = await db.query<AllowRow>(
    `INSERT INTO allowlist (network, reason, expires_at) VALUES ($1::cidr, $2, $3)
     RETURNING id, network::text AS network, reason, created_at, expires_at`,
    [network, reason, expiresAt],
  );
  return row as AllowRow;
}

/** Removes an allowlist entry; returns what was removed (nothing when there was none). */
export async function deleteAllow(db: Queryable, network: string): Promise<AllowRow[]> {
  const rows = await db.query<AllowRow>(
    `DELETE FROM allowlist WHERE network = $1::cidr
     RETURNING id, network::text AS network, reason, created_at, expires_at`,
    [network],
  );
  return rows.map((r) => ({
    ...r,
    created_at: asDate(r.created_at) as Date,
    expires_at: asDate(r.expires_at),
  }));
}

/** Bans listed for operators: live ones by default, or all within the history. */
export async function listBans(db: Queryable, now: Date, all: boolean): Promise<BanRow[]> {
  if (!all) return liveBans(db, now);
  const rows = await db.query<BanRow>(`SELECT ${BAN_COLUMNS} FROM bans ORDER BY id DESC LIMIT 10000`);
  return rows.map(banOf);
}

/** Drops ban rows older than the history retention. */
export async function pruneHistory(db: Queryable, before: Date): Promise<number> {
  const rows = await db.query(
    "DELETE FROM bans WHERE created_at < $1 AND (lifted_at IS NOT NULL OR (expires_at IS NOT NULL AND expires_at < $1)) RETURNING id",
    [before],
  );
  return rows.length;
}
