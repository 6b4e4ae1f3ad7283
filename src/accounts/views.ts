import type { UserdbDefaults, UserFields, UserRow } from "./queries.js";

/** An account as the CLI and the API show it: never its password or hash, only the scheme's name. */
export function userView(user: UserRow) {
  return {
    email: user.email,
    domain: user.domain,
    enabled: user.enabled,
    must_change_password: user.must_change_password,
    scheme: user.scheme,
    home: user.home,
    mail: user.mail,
    uid: user.uid,
    gid: user.gid,
    quota_rule: user.quota_rule,
    created_at: user.created_at,
    password_changed_at: user.password_changed_at,
  };
}

/** Where an account's userdb field comes from: its own, its domain's, or the service default. */
export type FieldSource = "account" | "domain" | "default";

export interface EffectiveField {
  value: string | number;
  from: FieldSource;
}

export type EffectiveFields = Record<keyof UserFields, EffectiveField>;

/** The MAILAUTH_DEFAULT_* setting behind each field, for telling the operator where to change it. */
export const DEFAULT_SETTINGS: Record<keyof UserFields, string> = {
  home: "MAILAUTH_DEFAULT_HOME",
  mail: "MAILAUTH_DEFAULT_MAIL",
  uid: "MAILAUTH_DEFAULT_UID",
  gid: "MAILAUTH_DEFAULT_GID",
  quota_rule: "MAILAUTH_DEFAULT_QUOTA_RULE",
};

/**
 * The userdb fields a login of this account gets, as the dovecot_userdb view and findLogin
 * resolve them: the account's own, else its domain's, expanded (%u, %n, %d); an empty result
 * takes the service default. Kept beside that SQL: a change there must be made here too.
 */
export function effectiveFields(
  user: Pick<UserRow, "email"> & UserFields,
  domain: UserFields | null,
  defaults: UserdbDefaults,
): EffectiveFields {
  const pick = (key: keyof UserFields, fallback: string | number, expand: boolean): EffectiveField => {
    const own = user[key];
    const inherited = domain?.[key] ?? null;
    const found = own ?? inherited;
    const value = found === null ? "" : expand ? expandTemplate(String(found), user.email) : found;
    if (value === "") {
      return { value: expand ? expandTemplate(String(fallback), user.email) : fallback, from: "default" };
    }
    return { value, from: own !== null ? "account" : "domain" };
  };
  return {
    home: pick("home", defaults.home, true),
    mail: pick("mail", defaults.mail, true),
    uid: pick("uid", defaults.uid, false),
    gid: pick("gid", defaults.gid, false),
    quota_rule: pick("quota_rule", defaults.quotaRule, false),
  };
}

/** mailauth_expand() of migrations/0001-accounts.sql, in the same order. */
function expandTemplate(template: string, email: string): string {
  const [local = "", domain = ""] = email.split("@");
  return template.replaceAll("%u", email).replaceAll("%n", local).replaceAll("%d", domain);
}
