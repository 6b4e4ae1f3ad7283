import { appliedVersions } from "../db/migrate.js";
import type { Command } from "./command.js";

export const migrateCommand: Command = {
  path: ["migrate"],
  summary: "apply pending database migrations (serve also does at start)",
  usage: "migrate",
  options: {},
  positionals: { min: 0, max: 0 },
  // The database was opened, and so migrated, before this runs: report where it stands.
  async run(s, _args, _input, out) {
    const versions = await appliedVersions(s.db);
    out.line(`database schema at version ${versions.at(-1) ?? 0} (${versions.length} migrations applied)`);
    return 0;
  },
};
