import { parseDomain } from "../accounts/address.js";
import { listDomains } from "../accounts/queries.js";
import { auditedRemoveDomain, auditedUpsertDomain } from "../audit/changes.js";
import { type Args, actorOf, type Command, CommandError, JSON_OPTION, table } from "./command.js";
import { FIELD_HELP, FIELD_OPTIONS, fieldsFrom } from "./fields.js";

function domainArg(args: Args): string {
  const raw = args.positionals[0] ?? "";
  const parsed = parseDomain(raw);
  if (!parsed.ok) throw new CommandError(`${raw} ${parsed.reason}`);
  return parsed.domain;
}

const add: Command = {
  path: ["domain", "add"],
  summary: "add a domain, or replace its defaults",
  usage: "domain add DOMAIN [--home TEMPLATE] [--mail LOC] [--uid N] [--gid N] [--quota-rule RULE]",
  details: `${FIELD_HELP}\nIts users inherit every default they don't set themselves, e.g.\n  mailauth domain add example.org --home /var/vmail/%d/%n --mail maildir:~/Maildir --uid 5000 --gid 5000`,
  options: FIELD_OPTIONS,
  positionals: { min: 1, max: 1 },
  async run(s, args, _input, out) {
    const name = domainArg(args);
    const { existed } = await auditedUpsertDomain(s.db, actorOf(s), name, fieldsFrom(args));
    out.line(`${existed ? "updated" : "added"} ${name}`);
    return 0;
  },
};

const list: Command = {
  path: ["domain", "list"],
  summary: "list domains and their defaults",
  usage: "domain list [--json]",
  options: JSON_OPTION,
  positionals: { min: 0, max: 0 },
  async run(s, args, _input, out) {
    const domains = await listDomains(s.db);
    if (args.values.json) {
      out.json(domains);
      return 0;
    }
    const cell = (v: unknown) => (v === null || v === undefined ? "" : String(v));
    table(
      out,
      ["DOMAIN", "USERS", "HOME", "MAIL", "UID", "GID", "QUOTA RULE"],
      domains.map((d) => [
        d.name,
        cell(d.users),
        cell(d.home),
        cell(d.mail),
        cell(d.uid),
        cell(d.gid),
        cell(d.quota_rule),
      ]),
    );
    return 0;
  },
};

const remove: Command = {
  path: ["domain", "remove"],
  summary: "remove a domain (refused while it has accounts)",
  usage: "domain remove DOMAIN",
  options: {},
  positionals: { min: 1, max: 1 },
  async run(s, args, _input, out) {
    const name = domainArg(args);
    const result = await auditedRemoveDomain(s.db, actorOf(s), name);
    if (result === "missing") throw new CommandError(`no domain ${name}`);
    if (result === "has_users") throw new CommandError(`${name} still has accounts; delete them first`);
    out.line(`removed ${name}`);
    return 0;
  },
};

export const domainCommands: Command<never>[] = [add, list, remove] as Command<never>[];
