import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, inject } from "vitest";
import { type Db, openEmbedded, openPostgres } from "../../src/db/database.js";
import { loadMigrations, migrate } from "../../src/db/migrate.js";
import { MIGRATIONS_DIR } from "../../src/service.js";

export type DatabaseKind = "embedded" | "postgres";

export interface TestDatabase {
  db: Db;
  /** Connection URL of this test's own database on PostgreSQL; null for the embedded one. */
  url: string | null;
  drop(): Promise<void>;
}

export const migrations = loadMigrations(MIGRATIONS_DIR);

/** A new, empty database of that kind; migrated unless asked not to. */
export async function freshDatabase(
  kind: DatabaseKind,
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  let result: TestDatabase;
  if (kind === "embedded") {
    const db = await openEmbedded(null);
    result = { db, url: null, drop: () => db.close() };
  } else {
    const admin = inject("postgresUrl");
    if (!admin) throw new Error(`no PostgreSQL for tests: ${inject("postgresMissing")}`);
    const name = `mailauth_test_${randomBytes(6).toString("hex")}`;
    await withAdmin(admin, (c) => c.query(`CREATE DATABASE ${name}`));
    const url = admin.replace(/\/[^/]*$/, `/${name}`);
    const db = openPostgres(url, { max: 20 });
    result = {
      db,
      url,
      async drop() {
        await db.close();
        await withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  }
  if (options.migrated !== false) await migrate(result.db, migrations);
  return result;
}

async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Runs the same tests on the embedded database and on real PostgreSQL. */
export function describeEachDatabase(title: string, body: (kind: DatabaseKind) => void): void {
  for (const kind of ["embedded", "postgres"] as const) {
    const missing = kind === "postgres" && !inject("postgresUrl");
    describe.skipIf(missing)(`${title} (${kind === "embedded" ? "embedded PGlite" : "PostgreSQL"})`, () =>
      body(kind),
    );
  }
}
