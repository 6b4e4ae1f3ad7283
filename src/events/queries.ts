import type { Queryable } from "../db/database.js";

/** A stored login attempt, as the admin API shows it. */
export interface EventRow {
  id: number;
  at: string;
  ip: string | null;
  login: string;
  service: string;
  outcome: string;
  reason: string | null;
}

export interface EventFilter {
  ip?: string | null;
  login?: string | null;
  outcome?: string | null;
  since?: Date | null;
  until?: Date | null;
  /** Only events older than this id: the cursor of the previous page. */
  beforeId?: number | null;
  limit: number;
}

/** Attempts matching the filter, newest first. */
export async function listEvents(db: Queryable, f: EventFilter): Promise<EventRow[]> {
  const rows = await db.query<Omit<EventRow, "at"> & { at: Date | string }>(
    `SELECT id, at, host(ip) AS ip, login, service, outcome, reason FROM auth_events
      WHERE ($1::inet IS NULL OR ip = $1) AND ($2::text IS NULL OR login = $2)
        AND ($3::text IS NULL OR outcome = $3) AND ($4::timestamptz IS NULL OR at >= $4)
        AND ($5::timestamptz IS NULL OR at < $5) AND ($6::bigint IS NULL OR id < $6)
      ORDER BY id DESC LIMIT $7`,
    [
      f.ip ?? null,
      f.login ?? null,
      f.outcome ?? null,
      f.since ?? null,
      f.until ?? null,
      f.beforeId ?? null,
      f.limit,
    ],
  );
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    at: r.at instanceof Date ? r.at.toISOString() : String(r.at),
  }));
}
