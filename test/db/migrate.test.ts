import { afterEach, describe, expect, inject, it } from "vitest";
import type { Db } from "../../src/db/database.js";
import { appliedVersions, isCurrent, migrate } from "../../src/db/migrate.js";
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
