import { listAudit } from "../audit/audit.js";
import { type Command, JSON_OPTION, table, UsageError } from "./command.js";

const list: Command = {
  path: ["audit", "list"],
  summary: "the latest changes made through the CLI and the admin API, newest first",
  usage: "audit list [--limit N] [--json]",
  details: "  --limit N            how many entries (default 50, at most 1000)",
  options: { ...JSON_OPTION, limit: { type: "string" } },
  positionals: { min: 0, max: 0 },
  async run(s, args, _input, out) {
    const raw = args.values.limit;
    const limit = typeof raw === "string" ? Number(raw) : 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new UsageError("--limit must be a whole number from 1 to 1000");
    const rows = await listAudit(s.db, { limit });
    if (args.values.json) {
      out.json(rows);
      return 0;
    }
    const brief = (v: unknown) => (v === null || v === undefined ? "" : JSON.stringify(v));
    table(
      out,
      ["AT", "ACTOR", "ACTION", "TARGET", "CHANGE"],
      rows.map((r) => [
        r.at.slice(0, 19).replace("T", " "),
        r.actor,
        r.action,
        r.target ?? "",
        `${brief(r.before)}${r.before && r.after ? " -> " : ""}${brief(r.after)}`.slice(0, 160),
      ]),
    );
    return 0;
  },
};

export const auditCommands = [list] as Command<never>[];
