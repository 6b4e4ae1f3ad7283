import { auditedAllow, auditedBan, auditedLift, auditedUnallow } from "../audit/changes.js";
import type { BanRow } from "../blacklist/queries.js";
import { listBans } from "../blacklist/queries.js";
import { banView, ipView } from "../blacklist/views.js";
import { parseCidr } from "../net/cidr.js";
import { formatDuration, PERMANENT, parseDuration } from "../reputation/escalation.js";
import {
  type Args,
  actorOf,
  type Command,
  CommandError,
  JSON_OPTION,
  type Output,
  table,
  UsageError,
} from "./command.js";

const iso = (d: Date | null) => (d ? d.toISOString().slice(0, 19).replace("T", " ") : "");

function cidrArg(args: Args): string {
  const raw = args.positionals[0] ?? "";
  const cidr = parseCidr(raw);
  if (!cidr) throw new CommandError(`${raw} is not an address or network (CIDR)`);
  return cidr.text;
}

function reasonArg(args: Args): string {
  const reason = args.values.reason;
  if (typeof reason !== "string" || reason.trim() === "") throw new UsageError("--reason TEXT is required");
  return reason.trim().slice(0, 500);
}

function printBans(bans: BanRow[], args: Args, out: Output) {
  if (args.values.json) return out.json(bans.map(banView));
  table(
    out,
    ["NETWORK", "UNTIL", "LEVEL", "SOURCE", "HITS", "LAST SEEN", "REASON"],
    bans.map((b) => [
      b.network,
      b.lifted_at
        ? `lifted ${iso(b.lifted_at)}`
        : b.expires_at
          ? iso(b.expires_at)
          : `permanent (review ${iso(b.review_at).slice(0, 10)})`,
      String(b.level),
      b.source,
      String(b.hits),
      iso(b.last_seen),
      b.reason,
    ]),
  );
}

const add: Command = {
  path: ["ban", "add"],
  summary: "ban an address or network (--for DURATION or --permanent)",
  usage: "ban add CIDR (--for DURATION | --permanent) --reason TEXT",
  details: "  DURATION is like 30m, 12h, 7d. Refused for allowlisted addresses.",
  options: {
    for: { type: "string" },
    permanent: { type: "boolean", default: false },
    reason: { type: "string" },
  },
  positionals: { min: 1, max: 1 },
  async run(s, args, _input, out) {
    const network = cidrArg(args);
    const reason = reasonArg(args);
    const forText = args.values.for;
    if ((typeof forText === "string") === (args.values.permanent === true)) {
      throw new UsageError("give either --for DURATION or --permanent");
    }
    let length: { permanent: true } | { permanent: false; ms: number } = { permanent: true };
    if (typeof forText === "string") {
      const parsed = parseDuration(forText);
      if (!parsed.ok) throw new UsageError(`--for: ${parsed.error}`);
      length = parsed.ms === PERMANENT ? { permanent: true } : { permanent: false, ms: parsed.ms };
    }
    const result = await auditedBan(s.blacklist, actorOf(s), {
      network,
      reason,
      source: "manual",
      length,
    });
    if (!result.ok) {
      if (result.reason === "allowlisted")
        throw new CommandError(`${network} is allowlisted (${result.allow.reason}); remove that entry first`);
      throw new CommandError(result.reason === "invalid" ? result.detail : `${network} is already banned`);
    }
    const until = result.ban.expires_at ? `until ${iso(result.ban.expires_at)}` : "permanently";
    out.line(`banned ${result.ban.network} ${until}`);
    return 0;
  },
};

const remove: Command = {
  path: ["ban", "remove"],
  summary: "lift the bans of an address or network (and of every network inside it)",
  usage: "ban remove CIDR [--reason TEXT]",
  options: { reason: { type: "string" } },
  positionals: { min: 1, max: 1 },
  async run(s, args, _input, out) {
    const network = cidrArg(args);
    const reason = typeof args.values.reason === "string" ? args.values.reason : "lifted by hand";
    const lifted = await auditedLift(s.blacklist, actorOf(s), network, reason);
    if (lifted.length === 0) throw new CommandError(`no live ban inside ${network}`);
    out.line(`lifted ${lifted.map((b) => b.network).join(", ")}`);
    return 0;
  },
};

const list: Command = {
  path: ["ban", "list"],
  summary: "list the bans in force (--all: the whole kept history)",
  usage: "ban list [--all] [--json]",
  options: { ...JSON_OPTION, all: { type: "boolean", default: false } },
  positionals: { min: 0, max: 0 },
  async run(s, args, _input, out) {
    printBans(await listBans(s.db, s.clock.now(), args.values.all === true), args, out);
    return 0;
  },
};

const allowAdd: Command = {
  path: ["allow", "add"],
  summary: "never ban an address or network; lifts its current bans",
  usage: "allow add CIDR --reason TEXT [--for DURATION]",
  options: { reason: { type: "string" }, for: { type: "string" } },
  positionals: { min: 1, max: 1 },
  async run(s, args, _input, out) {
    const network = cidrArg(args);
    const reason = reasonArg(args);
    let expires: Date | null = null;
    if (typeof args.values.for === "string") {
      const parsed = parseDuration(args.values.for);
      if (!parsed.ok) throw new UsageError(`--for: ${parsed.error}`);
      if (parsed.ms !== PERMANENT) expires = new Date(s.clock.now().getTime() + parsed.ms);
    }
    const result = await auditedAllow(s.blacklist, actorOf(s), network, reason, expires);
    if ("error" in result) throw new CommandError(result.error);
    const lifted =
      result.lifted.length > 0 ? `; lifted ${result.lifted.map((b) => b.network).join(", ")}` : "";
    out.line(`allowed ${result.entry.network}${expires ? ` until ${iso(expires)}` : ""}${lifted}`);
    return 0;
  },
};

const allowRemove: Command = {
  path: ["allow", "remove"],
  summary: "remove an allowlist entry (built-in ones cannot be removed)",
  usage: "allow remove CIDR",
  options: {},
  positionals: { min: 1, max: 1 },
  async run(s, args, _input, out) {
    const network = cidrArg(args);
    const result = await auditedUnallow(s.blacklist, actorOf(s), network);
    if (result === "builtin")
      throw new CommandError(`${network} is built in (loopback, this host or MAILAUTH_TRUSTED_NETWORKS)`);
    if (result !== "removed") throw new CommandError(`no allowlist entry ${network}`);
    out.line(`removed ${network}`);
    return 0;
  },
};

const allowList: Command = {
  path: ["allow", "list"],
  summary: "list the allowlist, built-in entries included",
  usage: "allow list [--json]",
  options: JSON_OPTION,
  positionals: { min: 0, max: 0 },
  async run(s, args, _input, out) {
    const { liveAllows } = await import("../blacklist/queries.js");
    const stored = (await liveAllows(s.db, s.clock.now())).map((a) => ({
      network: a.network,
      reason: a.reason,
      builtin: false,
      expires_at: a.expires_at?.toISOString() ?? null,
    }));
    const builtin = s.blacklist
      .allowEntries()
      .map((a) => ({ network: a.network, reason: a.reason, builtin: true, expires_at: null }));
    const rows = [...builtin, ...stored];
    if (args.values.json) out.json(rows);
    else
      table(
        out,
        ["NETWORK", "UNTIL", "REASON"],
        rows.map((r) => [r.network, r.builtin ? "built in" : (r.expires_at ?? "removed"), r.reason]),
      );
    return 0;
  },
};

const ipShow: Command = {
  path: ["ip", "show"],
  summary: "an address's reputation, evidence, bans and why",
  usage: "ip show IP [--json]",
  details:
    "  Reputation lives in the server's memory: through the running server (embedded database) it is\n  the server's; run directly against PostgreSQL, only the bans and their history are shown.",
  options: JSON_OPTION,
  positionals: { min: 1, max: 1 },
  async run(s, args, _input, out) {
    const ip = args.positionals[0] ?? "";
    const shown = await ipView(s, ip);
    if (!shown) throw new CommandError(`${ip} is not an address`);
    const { standing, explanation, history, view } = shown;
    if (args.values.json) {
      out.json(view);
      return 0;
    }
    out.line(`${ip} (judged as ${explanation.key})`);
    out.line(`allowlisted: ${view.allowed ? `${view.allowed.network} (${view.allowed.reason})` : "no"}`);
    out.line(
      `banned:      ${standing.ban ? `${standing.ban.network} ${standing.ban.expires_at ? `until ${iso(standing.ban.expires_at)}` : "permanently"}: ${standing.ban.reason}` : "no"}`,
    );
    out.line(
      `verdict:     ${explanation.verdict.action}${"reason" in explanation.verdict ? ` (${explanation.verdict.reason})` : ""}`,
    );
    for (const line of explanation.why) out.line(`  ${line}`);
    if (history.length > 0) {
      out.line("bans:");
      for (const b of history)
        out.line(
          `  ${iso(b.created_at)} ${b.network} level ${b.level} ${b.expires_at ? formatDuration(b.expires_at.getTime() - b.created_at.getTime()) : "permanent"} ${b.lifted_at ? "(lifted) " : ""}${b.reason}`,
        );
    }
    return 0;
  },
};

export const banCommands = [add, remove, list, allowAdd, allowRemove, allowList, ipShow] as Command<never>[];
