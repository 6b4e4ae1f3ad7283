import type { Secret } from "../accounts/accounts.js";
import { parseAddress } from "../accounts/address.js";
import { parsePasswdFile } from "../accounts/passwd-file.js";
import { getUser, listDomains, listUsers } from "../accounts/queries.js";
import { DEFAULT_SETTINGS, effectiveFields, userView } from "../accounts/views.js";
import {
  auditedAddUser,
  auditedDeleteUser,
  auditedImport,
  auditedResetPassword,
  auditedSetEnabled,
} from "../audit/changes.js";
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
import { FIELD_HELP, FIELD_OPTIONS, fieldsFrom } from "./fields.js";

const SECRET_OPTIONS = {
  "password-stdin": { type: "boolean", default: false },
  hash: { type: "string" },
  "allow-weak": { type: "boolean", default: false },
} as const;
const SECRET_HELP = `  --password-stdin     read the password from standard input (else it is asked for)
  --hash HASH          keep an existing Dovecot hash as it is, e.g. '{SHA512-CRYPT}$6$...'
  --allow-weak         take a password the policy refuses; the account is flagged for a change`;
const allowWeak = (args: Args) => ({ allowWeak: args.values["allow-weak"] === true });

/** Reads the secret in the CLI's process: a hash as given, or a password from stdin or the terminal. */
async function readSecret(args: Args, io: Parameters<NonNullable<Command["prepare"]>>[1]): Promise<Secret> {
  const hash = args.values.hash;
  if (typeof hash === "string") {
    if (args.values["password-stdin"])
      throw new UsageError("give either --hash or --password-stdin, not both");
    return { hash };
  }
  return { password: await io.password(args, "New password: ") };
}

function emailArg(args: Args): string {
  const raw = args.positionals[0] ?? "";
  const address = parseAddress(raw);
  if (!address.ok) throw new CommandError(`${raw} ${address.reason}`);
  return address.address.email;
}

const add: Command<Secret> = {
  path: ["user", "add"],
  summary: "create an account",
  usage:
    "user add EMAIL [--password-stdin | --hash HASH] [--home PATH] [--mail LOC] [--uid N] [--gid N] [--quota-rule RULE]",
  details: `${SECRET_HELP}\n${FIELD_HELP}\nFields left out are inherited from the domain (see 'domain add').`,
  options: { ...SECRET_OPTIONS, ...FIELD_OPTIONS },
  positionals: { min: 1, max: 1 },
  prepare: readSecret,
  async run(s, args, secret, out) {
    const result = await auditedAddUser(
      s,
      actorOf(s),
      emailArg(args),
      secret,
      fieldsFrom(args),
      allowWeak(args),
    );
    if (!result.ok) throw new CommandError(result.reason);
    out.line(`added ${result.email}${result.mustChange ? " (weak password: flagged for a change)" : ""}`);
    return 0;
  },
};

const passwd: Command<Secret> = {
  path: ["user", "passwd"],
  summary: "reset an account's password (it is never shown)",
  usage: "user passwd EMAIL [--password-stdin | --hash HASH]",
  details: SECRET_HELP,
  options: SECRET_OPTIONS,
  positionals: { min: 1, max: 1 },
  prepare: readSecret,
  async run(s, args, secret, out) {
    const result = await auditedResetPassword(s, actorOf(s), emailArg(args), secret, allowWeak(args));
    if (!result.ok) throw new CommandError(result.reason);
    out.line(
      `password of ${result.email} reset${result.mustChange ? " (weak password: flagged for a change)" : ""}`,
    );
    return 0;
  },
};

const show: Command = {
  path: ["user", "show"],
  summary: "show an account and the userdb fields its logins get",
  usage: "user show EMAIL [--json]",
  details: `Each userdb field is shown as a login gets it, with where it comes from: the account's own,
its domain's, or the service default (MAILAUTH_DEFAULT_*). In --json, home, mail, uid, gid and
quota_rule are the account's own (null: not set), and "effective" holds { value, from } of each.`,
  options: JSON_OPTION,
  positionals: { min: 1, max: 1 },
  async run(s, args, _input, out) {
    const email = emailArg(args);
    const user = await getUser(s.db, email);
    if (!user) throw new CommandError(`no account ${email}`);
    const [domain] = await listDomains(s.db, user.domain);
    const effective = effectiveFields(user, domain ?? null, s.config.userdbDefaults);
    const view = userView(user);
    if (args.values.json) {
      out.json({ ...view, effective });
      return 0;
    }
    for (const [key, value] of Object.entries(view)) {
      const field = effective[key as keyof typeof effective];
      const shown = field
        ? `${field.value} (${field.from === "default" ? `default, ${DEFAULT_SETTINGS[key as keyof typeof effective]}` : field.from})`
        : value;
      out.line(`${`${key}:`.padEnd(22)}${shown}`);
    }
    return 0;
  },
};

const list: Command = {
  path: ["user", "list"],
  summary: "list accounts",
  usage: "user list [--domain DOMAIN] [--weak] [--json]",
  details: "  --weak               only accounts flagged for a password change (weak password found in use)",
  options: { ...JSON_OPTION, domain: { type: "string" }, weak: { type: "boolean", default: false } },
  positionals: { min: 0, max: 0 },
  async run(s, args, _input, out) {
    const domain = typeof args.values.domain === "string" ? args.values.domain.toLowerCase() : undefined;
    const users = await listUsers(s.db, { domain, weakOnly: args.values.weak === true });
    if (args.values.json) {
      out.json(users.map(userView));
      return 0;
    }
    table(
      out,
      ["EMAIL", "ENABLED", "SCHEME", "MUST CHANGE", "PASSWORD SET"],
      users.map((u) => [
        u.email,
        u.enabled ? "yes" : "no",
        u.scheme,
        u.must_change_password ? "yes" : "",
        u.password_changed_at.slice(0, 19).replace("T", " "),
      ]),
    );
    return 0;
  },
};

function toggle(enabled: boolean): Command {
  const verb = enabled ? "enable" : "disable";
  return {
    path: ["user", verb],
    summary: enabled
      ? "let an account log in again"
      : "refuse an account's logins (answered as a wrong password)",
    usage: `user ${verb} EMAIL`,
    options: {},
    positionals: { min: 1, max: 1 },
    async run(s, args, _input, out: Output) {
      const email = emailArg(args);
      if (!(await auditedSetEnabled(s.db, actorOf(s), email, enabled)))
        throw new CommandError(`no account ${email}`);
      out.line(`${email} ${verb}d`);
      return 0;
    },
  };
}

const remove: Command = {
  path: ["user", "delete"],
  summary: "delete an account (its mail on disk is not touched)",
  usage: "user delete EMAIL",
  options: {},
  positionals: { min: 1, max: 1 },
  async run(s, args, _input, out) {
    const email = emailArg(args);
    if (!(await auditedDeleteUser(s.db, actorOf(s), email))) throw new CommandError(`no account ${email}`);
    out.line(`deleted ${email}`);
    return 0;
  },
};

const importFile: Command<string> = {
  path: ["user", "import"],
  summary: "import a Dovecot passwd-file (hashes kept as they are)",
  usage: "user import FILE [--allow-weak]",
  details: `Lines are user:{SCHEME}hash:uid:gid:gecos:home:shell:extra_fields. Existing accounts are left
as they are, so a re-run adds only what is new. A hash without {SCHEME} is read as {CRYPT}, as
Dovecot's passwd-file does. {PLAIN} passwords are judged like new ones and hashed on the way in;
--allow-weak takes weak ones too, flagging their accounts for a change. Of the extra fields,
home, mail, quota_rule, uid and gid (userdb_ or not) are kept; a line whose passdb fields limit
or redirect its logins (allow_nets, proxy, host, nologin, nopassword, ...) is refused, as
mailauth cannot do that; any other field is dropped with a warning. Every line that cannot be
taken is reported with its number and reason; the exit code is then 1.`,
  options: { "allow-weak": { type: "boolean", default: false } },
  positionals: { min: 1, max: 1 },
  prepare: (args, io) => io.readFile(args.positionals[0] ?? ""),
  async run(s, args, text, out) {
    const report = await auditedImport(s, actorOf(s), text, allowWeak(args));
    for (const parsed of parsePasswdFile(text)) {
      if (!parsed.ok || parsed.entry.dropped.length === 0) continue;
      const { line, address, dropped } = parsed.entry;
      out.warn(
        `line ${line}: ${address.email}: extra fields mailauth does not use, dropped: ${dropped.join(", ")}`,
      );
    }
    for (const refused of report.refused) out.warn(`line ${refused.line}: ${refused.reason}`);
    const flagged =
      report.flagged.length > 0 ? ` (${report.flagged.length} with weak passwords, flagged)` : "";
    out.line(
      `imported ${report.imported.length}${flagged}, already present ${report.present.length}, refused ${report.refused.length}`,
    );
    return report.refused.length > 0 ? 1 : 0;
  },
};

export const userCommands: Command<never>[] = [
  add,
  passwd,
  show,
  list,
  toggle(true),
  toggle(false),
  remove,
  importFile,
] as Command<never>[];
