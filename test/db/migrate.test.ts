import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { Db } from "../../src/db/database.js";
import { appliedVersions, isCurrent, loadMigrations, migrate } from "../../src/db/migrate.js";
import { describeEachDatabase, freshDatabase, migrations, type TestDatabase } from "../helpers/databases.js";

describeEachDatabase("migrations", (kind) => {
  let database: TestDatabase;
  afterEach(() => database.drop());

  it("apply on an empty database, then a re-run applies nothing", async () => {
    database = await freshDatabase(kind, { migrated: false });
    expect(await isCurrent(database.db, migrations)).toBe(false);
    expect((await migrate(database.db, migrations)).map((m) => m.version)).toEqual(
      migrations.map((m) => m.version),
    );
    expect(await migrate(database.db, migrations)).toEqual([]);
    expect(await appliedVersions(database.db)).toEqual(migrations.map((m) => m.version));
    expect(await isCurrent(database.db, migrations)).toBe(true);
  });

  it("roll a failing file back whole and record it only once a fixed run applies it", async () => {
    database = await freshDatabase(kind, { migrated: false });
    const { db } = database;
    const dir = mkdtempSync(join(tmpdir(), "mailauth-migrations-"));
    try {
      writeFileSync(join(dir, "0001-probe.sql"), "CREATE TABLE probe_one (id integer PRIMARY KEY);");
      // DDL and data first, then a statement that fails: none of it may survive.
      const second = (type: string) => `CREATE TABLE probe_half (id integer PRIMARY KEY);
        INSERT INTO probe_one VALUES (1);
        ALTER TABLE probe_half ADD COLUMN note ${type};`;
      writeFileSync(join(dir, "0002-probe-half.sql"), second("no_such_type"));

      await expect(migrate(db, loadMigrations(dir))).rejects.toThrow(/no_such_type/);
      expect(await appliedVersions(db)).toEqual([1]);
      const [half] = await db.query<{ t: string | null }>("SELECT to_regclass('probe_half')::text AS t");
      expect(half?.t).toBeNull();
      expect(await db.query("SELECT id FROM probe_one")).toEqual([]);

      writeFileSync(join(dir, "0002-probe-half.sql"), second("text"));
      expect((await migrate(db, loadMigrations(dir))).map((m) => m.version)).toEqual([2]);
      expect(await appliedVersions(db)).toEqual([1, 2]);
      expect(await db.query("SELECT id, note FROM probe_half")).toEqual([]);
      expect(await db.query("SELECT id FROM probe_one")).toEqual([{ id: 1 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("store addresses as inet", async () => {
    database = await freshDatabase(kind);
    const [column] = await database.db.query<{ data_type: string }>(
      "SELECT data_type FROM information_schema.columns WHERE table_name = 'auth_events' AND column_name = 'ip'",
    );
    expect(column?.data_type).toBe("inet");
  });
});

describe.skipIf(!inject("postgresUrl"))("migrations on PostgreSQL", () => {
  let database: TestDatabase;
  afterEach(() => database.drop());

  it("are applied once when several instances start together", async () => {
    database = await freshDatabase("postgres", { migrated: false });
    const { openPostgres } = await import("../../src/db/database.js");
    const instances = Array.from({ length: 4 }, () => openPostgres(database.url ?? ""));
    try {
      const results = await Promise.all(instances.map((db) => migrate(db, migrations)));
      // Each file applied by exactly one instance; which one applies which is up to the lock.
      const versions = results.flat().map((m) => m.version);
      expect(versions.sort((a, b) => a - b)).toEqual(migrations.map((m) => m.version));
      expect(await appliedVersions(instances[0] as Db)).toEqual(migrations.map((m) => m.version));
    } finally {
      await Promise.all(instances.map((db) => db.close()));
    }
  });
});
