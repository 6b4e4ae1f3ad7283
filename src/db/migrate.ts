import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "./database.js";

/** A numbered SQL file from `migrations/`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Any constant will do: it only has to be the same in every mailauth instance.
const MIGRATION_LOCK = 72_616_001;

/** Reads `NNNN-name.sql` files in version order; refuses gaps and duplicates. */
export function loadMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .map((file) => {
      const match = /^(\d+)-([a-z0-9-]+)\.sql$/.exec(file);
      if (!match) throw new Error(`migration file name ${file} is not NNNN-name.sql`);
      return {
        version: Number(match[1]),
        name: match[2] ?? file,
        sql: readFileSync(join(dir, file), "utf8"),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration ${m.version}-${m.name} is out of sequence (expected ${i + 1})`);
  });
  return migrations;
}

/** Versions already applied, in order (none on an empty database). */
export async function appliedVersions(db: Db): Promise<number[]> {
  const [exists] = await db.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!exists?.t) return [];
  const rows = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
  return rows.map((r) => Number(r.version));
}

/**
 * Applies the pending migrations, each in its own transaction holding an advisory lock, so two
 * instances starting together apply each file once: the second waits, then sees it applied.
 */
export async function migrate(db: Db, migrations: Migration[]): Promise<Migration[]> {
  // CREATE TABLE IF NOT EXISTS can itself race on PostgreSQL; take the lock for it too.
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  });
  const applied: Migration[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      const rows = await tx.query("SELECT 1 FROM schema_migrations WHERE version = $1", [migration.version]);
      if (rows.length > 0) return false;
      await tx.exec(migration.sql);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (done) applied.push(migration);
  }
  return applied;
}

/** True when every known migration is applied (for /readyz). */
export async function isCurrent(db: Db, migrations: Migration[]): Promise<boolean> {
  const applied = await appliedVersions(db);
  return migrations.every((m) => applied.includes(m.version));
}
