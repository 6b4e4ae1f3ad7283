import type { UserFields } from "../accounts/queries.js";
import { type Args, UsageError } from "./command.js";

/** The userdb options shared by `user add` and `domain add`. */
export const FIELD_OPTIONS = {
  home: { type: "string" },
  mail: { type: "string" },
  uid: { type: "string" },
  gid: { type: "string" },
  "quota-rule": { type: "string" },
} as const;

export const FIELD_HELP = `  --home PATH          home directory; %u, %n, %d expand to address, local part, domain
  --mail LOCATION      mail location, e.g. maildir:~/Maildir
  --uid N, --gid N     system user and group owning the mail
  --quota-rule RULE    e.g. *:storage=1G`;

/** Reads the userdb options; absent ones stay null (inherit). */
export function fieldsFrom(args: Args): UserFields {
  const text = (name: string) => {
    const value = args.values[name];
    return typeof value === "string" && value !== "" ? value : null;
  };
  const id = (name: string) => {
    const value = text(name);
    if (value === null) return null;
    if (!/^\d{1,9}$/.test(value)) throw new UsageError(`--${name} must be a non-negative whole number`);
    return Number(value);
  };
  return {
    home: text("home"),
    mail: text("mail"),
    uid: id("uid"),
    gid: id("gid"),
    quota_rule: text("quota-rule"),
  };
}
