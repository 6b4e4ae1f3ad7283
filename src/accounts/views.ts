import type { UserRow } from "./queries.js";

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
