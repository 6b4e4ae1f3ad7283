import { listAudit } from "../audit/audit.js";
import { describeChange } from "../audit/describe.js";
import { PERMANENT, parseDuration } from "../reputation/escalation.js";
import { type Args, type Command, JSON_OPTION, table, UsageError } from "./command.js";

/** The CHANGE column's width at most; --json has every field. */
const CHANGE_WIDTH = 200;

const text = (args: Args, name: string): string | null => {
  const value = args.values[name];
  return typeof value === "string" && value !== "" ? value : null;
};

/** --since/--until: an ISO 8601 time, or a duration meaning that long before `now`. */
function timeOf(args: Args, name: string, now: Date): Date | null {
  const raw = text(args, name);
  if (raw === null) return null;
  const duration = parseDuration(raw);
  if (duration.ok && duration.ms !== PERMANENT) return new Date(now.getTime() - duration.ms);
  const t = new Date(raw);
  const year = t.getUTCFullYear();
  if (!/^\d{4}-\d\d-\d\d/.test(raw) || Number.isNaN(t.getTime()) || year < 1 || year > 9999)
    throw new UsageError(
      `--${name} must be an ISO 8601 time (2026-01-31T12:00:00Z) or a duration ago (2h, 7d)`,
    );
  return t;
}

function wholeNumber(args: Args, name: string, fallback: number | null, max: number): number | null {
  const raw = text(args, name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max)
    throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
  return n;
}

const list: Command = {
  path: ["audit", "list"],
  summary: "the latest changes made through the CLI and the admin API, newest first",
  usage:
    "audit list [--action A] [--target T] [--actor WHO] [--since TIME] [--until TIME] [--limit N] [--before ID] [--json]",
  details: `  --action A           only this kind of change, e.g. user.disable, ban.add
  --target T           only changes of this account, domain or network
  --actor WHO          only changes by this actor, e.g. api:admin, cli:root
  --since TIME         from this time on: ISO 8601 (2026-01-31T12:00:00Z) or a duration ago (2h, 7d)
  --until TIME         before this time, written the same way
  --limit N            how many entries (default 50, at most 1000)
  --before ID          only entries older than this id: the next page (its id is printed)
  --json               every field of each entry, before and after in full`,
  options: {
    ...JSON_OPTION,
    action: { type: "string" },
    target: { type: "string" },
    actor: { type: "string" },
    since: { type: "string" },
    until: { type: "string" },
    limit: { type: "string" },
    before: { type: "string" },
  },
  positionals: { min: 0, max: 0 },
  async run(s, args, _input, out) {
    const now = s.clock.now();
    const limit = wholeNumber(args, "limit", 50, 1000) as number;
    const rows = await listAudit(s.db, {
      limit,
      beforeId: wholeNumber(args, "before", null, Number.MAX_SAFE_INTEGER),
      action: text(args, "action"),
      target: text(args, "target"),
      actor: text(args, "actor"),
      since: timeOf(args, "since", now),
      until: timeOf(args, "until", now),
    });
    if (args.values.json) {
      out.json(rows);
      return 0;
    }
    table(
      out,
      ["ID", "AT", "ACTOR", "ACTION", "TARGET", "CHANGE"],
      rows.map((r) => {
        const change = describeChange(r.before, r.after);
        return [
          String(r.id),
          r.at.slice(0, 19).replace("T", " "),
          r.actor,
          r.action,
          r.target ?? "",
          change.length > CHANGE_WIDTH ? `${change.slice(0, CHANGE_WIDTH - 1)}…` : change,
        ];
      }),
    );
    const last = rows.at(-1);
    if (rows.length === limit && last) out.warn(`more: add --before ${last.id}`);
    return 0;
  },
};

export const auditCommands = [list] as Command<never>[];
