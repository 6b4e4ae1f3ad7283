import { afterAll, beforeAll, expect, it } from "vitest";
import { loadBlocklist } from "../../src/firewall/source.js";
import { describeEachDatabase, freshDatabase, type TestDatabase } from "../helpers/databases.js";

const NOW = new Date("2026-01-01T00:00:00Z");

describeEachDatabase("loadBlocklist", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(kind);
    await database.db.exec(`
      INSERT INTO bans (network, expires_at, lifted_at, reason, source, level, created_at, first_seen, last_seen)
      SELECT network::cidr, expires_at::timestamptz, lifted_at::timestamptz, 'test', 'manual', 1,
             '2025-12-01T00:00:00Z', '2025-12-01T00:00:00Z', '2025-12-01T00:00:00Z'
        FROM (VALUES
          ('192.0.2.0/24', '2026-01-01T01:00:00Z', NULL),
          ('198.51.100.7/32', NULL, NULL),
          ('203.0.113.1/32', '2025-12-31T23:59:59Z', NULL),
          ('203.0.113.2/32', NULL, '2025-12-31T00:00:00Z'),
          ('2001:db8::/32', NULL, NULL)) AS v(network, expires_at, lifted_at);
      INSERT INTO allowlist (network, reason, expires_at) VALUES
        ('192.0.2.10/32', 'test', NULL), ('198.51.100.0/24', 'test', '2025-12-31T00:00:00Z');`);
  });
  afterAll(() => database?.drop());

  it("reads active bans with their expiry, and the active allowlist plus the built-in entries", async () => {
    const list = await loadBlocklist(database.db, NOW, ["127.0.0.0/8"]);
    const byNetwork = (a: { network: string }, b: { network: string }) => a.network.localeCompare(b.network);
    expect(list.bans.sort(byNetwork)).toEqual([
      { network: "192.0.2.0/24", expiresAt: new Date("2026-01-01T01:00:00Z") },
      { network: "198.51.100.7/32", expiresAt: null },
      { network: "2001:db8::/32", expiresAt: null },
    ]);
    expect(list.allow).toEqual(["192.0.2.10/32", "127.0.0.0/8"]);
  });
});
