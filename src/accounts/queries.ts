import type { Queryable } from "../db/database.js";

/** The userdb fields Dovecot gets with a successful login, resolved by the dovecot_userdb view. */
export interface UserdbFields {
  home: string;
  mail: string;
  uid: string;
  gid: string;
  quota_rule: string;
}

/** What the login path needs about one account, in one query. */
export interface LoginRow extends UserdbFields {
  id: number;
  password_hash: string;
  enabled: boolean;
}

/** Per-user overrides; null means "inherit from the domain". */
export interface UserFields {
  home: string | null;
  mail: string | null;
  uid: number | null;
  gid: number | null;
  quota_rule: string | null;
}

export interface UserRow extends UserFields {
  id: number;
  email: string;
  domain: string;
  enabled: boolean;
  must_change_password: boolean;
  scheme: string;
  created_at: string;
  updated_at: string;
  password_changed_at: string;
}

export interface DomainRow extends UserFields {
  name: string;
  users: number;
  created_at: string;
}

/** Service-wide userdb defaults (MAILAUTH_DEFAULT_*), for what neither user nor domain sets. */
export interface UserdbDefaults {
  home: string;
  mail: string;
  uid: number;
  gid: number;
  quotaRule: string;
}

/**
 * Looks up an account for login; null when there is none. Every field comes back non-empty:
 * Dovecot fails a login whose pass_attrs uid or gid is empty, and reads an empty home as "yes".
 */
export async function findLogin(
  db: Queryable,
  email: string,
  defaults: UserdbDefaults,
): Promise<LoginRow | null> {
  const rows = await db.query<LoginRow>(
    `SELECT v.id, u.password_hash, v.enabled,
            coalesce(nullif(v.home, ''), mailauth_expand($2, v."user")) AS home,
            coalesce(nullif(v.mail, ''), mailauth_expand($3, v."user")) AS mail,
            coalesce(nullif(v.uid, ''), $4) AS uid,
            coalesce(nullif(v.gid, ''), $5) AS gid,
            coalesce(nullif(v.quota_rule, ''), $6) AS quota_rule
       FROM dovecot_userdb v JOIN users u ON u.id = v.id
      WHERE v."user" = $1`,
    [email, defaults.home, defaults.mail, String(defaults.uid), String(defaults.gid), defaults.quotaRule],
  );
  return rows[0] ?? null;
}

/**
 * Replaces a hash only if it is still the one that was verified: a reset that happened in the
 * meantime wins over the upgrade of the old password.
 */
export async function replaceHashIfUnchanged(
  db: Queryable,
  id: number,
  expected: string,
  next: string,
): Promise<boolean> {
  const rows = await db.query(
    "UPDATE users SET password_hash = $3, updated_at = now() WHERE id = $1 AND password_hash = $2 RETURNING id",
    [id, expected, next],
  );
  return rows.length === 1;
}

/** A time as ISO 8601 UTC text, as Date.toISOString() writes it (bans, events and the audit log). */
const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column.replace(/^\w+\./, "")}`;

const USER_COLUMNS = `id, email, domain, enabled, must_change_password, home, mail, uid, gid, quota_rule,
  upper(coalesce(substring(password_hash FROM '^\\{([^}]+)\\}'), '?')) AS scheme,
  ${iso("created_at")}, ${iso("updated_at")}, ${iso("password_changed_at")}`;

export async function getUser(db: Queryable, email: string): Promise<UserRow | null> {
  const rows = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
  return rows[0] ?? null;
}

export async function listUsers(
  db: Queryable,
  filter: { domain?: string; weakOnly?: boolean },
): Promise<UserRow[]> {
  return db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users
      WHERE ($1::text IS NULL OR domain = $1) AND (NOT $2::boolean OR must_change_password)
      ORDER BY domain, email`,
    [filter.domain ?? null, filter.weakOnly ?? false],
  );
}

/** Inserts an account; false when the address is taken. */
export async function insertUser(
  db: Queryable,
  user: { email: string; domain: string; passwordHash: string; mustChange: boolean } & UserFields,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO users (email, domain, password_hash, must_change_password, home, mail, uid, gid, quota_rule)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (email) DO NOTHING RETURNING id`,
    [
      user.email,
      user.domain,
      user.passwordHash,
      user.mustChange,
      user.home,
      user.mail,
      user.uid,
      user.gid,
      user.quota_rule,
    ],
  );
  return rows.length === 1;
}

/** A reset: the new hash, and the weak-password flag set or cleared by the caller's verdict. */
export async function setPassword(
  db: Queryable,
  email: string,
  passwordHash: string,
  mustChange: boolean,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = now(), updated_at = now()
      WHERE email = $1 RETURNING id`,
    [email, passwordHash, mustChange],
  );
  return rows.length === 1;
}

export async function setEnabled(db: Queryable, email: string, enabled: boolean): Promise<boolean> {
  const rows = await db.query(
    "UPDATE users SET enabled = $2, updated_at = now() WHERE email = $1 RETURNING id",
    [email, enabled],
  );
  return rows.length === 1;
}

/** Flags an account whose real password turned out weak; only a reset clears it. */
export async function flagMustChange(db: Queryable, id: number): Promise<boolean> {
  const rows = await db.query(
    "UPDATE users SET must_change_password = true, updated_at = now() WHERE id = $1 AND NOT must_change_password RETURNING id",
    [id],
  );
  return rows.length === 1;
}

export async function deleteUser(db: Queryable, email: string): Promise<boolean> {
  const rows = await db.query("DELETE FROM users WHERE email = $1 RETURNING id", [email]);
  return rows.length === 1;
}

/** Adds a domain or replaces its defaults. */
export async function upsertDomain(db: Queryable, name: string, defaults: UserFields): Promise<void> {
  await db.query(
    `INSERT INTO domains (name, home, mail, uid, gid, quota_rule) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (name) DO UPDATE SET home = $2, mail = $3, uid = $4, gid = $5, quota_rule = $6, updated_at = now()`,
    [name, defaults.home, defaults.mail, defaults.uid, defaults.gid, defaults.quota_rule],
  );
}

/** All domains, or the one named. */
export async function listDomains(db: Queryable, name: string | null = null): Promise<DomainRow[]> {
  return db.query<DomainRow>(
    `SELECT d.name, d.home, d.mail, d.uid, d.gid, d.quota_rule, ${iso("d.created_at")},
            (SELECT count(*)::int FROM users u WHERE u.domain = d.name) AS users
       FROM domains d WHERE ($1::text IS NULL OR d.name = $1) ORDER BY d.name`,
    [name],
  );
}

/** Removes a domain; refuses while accounts still live in it, so no user silently loses its defaults. */
export async function removeDomain(
  db: Queryable,
  name: string,
): Promise<"removed" | "missing" | "has_users"> {
  const [users] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE domain = $1", [
    name,
  ]);
  if (Number(users?.n ?? 0) > 0) return "has_users";
  const rows = await db.query("DELETE FROM domains WHERE name = $1 RETURNING name", [name]);
  return rows.length === 1 ? "removed" : "missing";
}
