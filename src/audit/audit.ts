import { userInfo } from "node:os";
import type { UserRow } from "../accounts/queries.js";
import { userView } from "../accounts/views.js";
import type { Queryable } from "../db/database.js";

/** One change as the audit log keeps it; before/after never hold a password or a hash. */
export interface AuditEntry {
  /** "cli:<unix user>" or "api:<token name>" */
  actor: string;
  /** e.g. user.add, user.passwd, user.disable, domain.upsert, ban.add, allow.add */
  action: string;
  target: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

export interface AuditFilter {
  limit: number;
  /** Only entries older than this id (paging backwards from the newest). */
  beforeId?: number | null;
  action?: string | null;
  target?: string | null;
  actor?: string | null;
  /** Inclusive. */
  since?: Date | null;
  /** Exclusive. */
  until?: Date | null;
}

/**
 * A change that was not made because the backend failed (the database, while making it or writing
 * its audit entry: one transaction, neither is kept; or the hash pool). A temporary failure: the
 * same request may succeed later.
 */
export class ChangeNotMade extends Error {
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`the change was not made (${reason.replace(/\s+/g, " ").trim()}); try again`, { cause });
  }
}

/** The actor of a command run by this process's user (the CLI, or the server for its socket). */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:uid-${process.getuid?.() ?? "unknown"}`;
  }
}

/**
 * The fields of an account the log may show: its scheme name stands for the hash, and
 * password_changed_at shows a reset (even to a hash of the same scheme).
 */
export function userSnapshot(user: UserRow | null): Record<string, unknown> | null {
  if (!user) return null;
  const { email: _email, domain: _domain, created_at: _created, ...fields } = userView(user);
  return fields;
}

/** Appends one change to the audit log. */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query("INSERT INTO audit_log (actor, action, target, before, after) VALUES ($1, $2, $3, $4, $5)", [
    entry.actor,
    entry.action,
    entry.target,
    entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
    entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
  ]);
}

/** The newest entries first. */
export async function listAudit(db: Queryable, filter: AuditFilter): Promise<AuditRow[]> {
  const rows = await db.query<AuditRow>(
    `SELECT id, at, actor, action, target, before, after FROM audit_log
      WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR action = $2)
        AND ($3::text IS NULL OR target = $3) AND ($5::text IS NULL OR actor = $5)
        AND ($6::timestamptz IS NULL OR at >= $6) AND ($7::timestamptz IS NULL OR at < $7)
      ORDER BY id DESC LIMIT $4`,
    [
      filter.beforeId ?? null,
      filter.action ?? null,
      filter.target ?? null,
      filter.limit,
      filter.actor ?? null,
      filter.since ?? null,
      filter.until ?? null,
    ],
  );
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    at: (r.at as unknown) instanceof Date ? (r.at as unknown as Date).toISOString() : String(r.at),
    before: parseJson(r.before),
    after: parseJson(r.after),
  }));
}

// pg parses jsonb itself; keep a string that PGlite or a driver setting might hand back usable.
function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
