import { type Address, parseAddress } from "./address.js";
import type { UserFields } from "./queries.js";

/** One account read from a Dovecot passwd-file line. */
export interface PasswdEntry extends UserFields {
  line: number;
  address: Address;
  /** As written in the file, {SCHEME}data. */
  hash: string;
}

export type PasswdLine = { ok: true; entry: PasswdEntry } | { ok: false; line: number; reason: string };

/**
 * Parses Dovecot's passwd-file format, `user:password:uid:gid:gecos:home:shell:extra_fields`
 * (everything after the password is optional). Blank lines and `#` comments are skipped. Extra
 * fields are space-separated `key=value`; the userdb_ ones mailauth keeps are mail, quota_rule,
 * home, uid and gid. A reason never repeats the password field.
 */
export function parsePasswdFile(text: string): PasswdLine[] {
  const results: PasswdLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) return;
    results.push(parseLine(raw, line));
  });
  return results;
}

function parseLine(raw: string, line: number): PasswdLine {
  const fields = raw.split(":");
  const [user = "", hash = "", uid = "", gid = "", , home = "", , ...rest] = fields;
  const address = parseAddress(user);
  if (!address.ok) return { ok: false, line, reason: `user "${user.slice(0, 80)}" ${address.reason}` };
  if (fields.length < 2 || hash === "")
    return { ok: false, line, reason: `${address.address.email}: no password field` };

  const entry: PasswdEntry = {
    line,
    address: address.address,
    hash,
    home: home || null,
    mail: null,
    uid: null,
    gid: null,
    quota_rule: null,
  };
  for (const [name, value] of [
    ["uid", uid],
    ["gid", gid],
  ] as const) {
    if (value === "") continue;
    if (!/^\d+$/.test(value))
      return { ok: false, line, reason: `${address.address.email}: ${name} "${value}" is not a number` };
    entry[name] = Number(value);
  }
  // extra_fields may themselves contain ':' (mail=maildir:~/Maildir): rejoin what split took apart.
  for (const pair of rest.join(":").split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf("=");
    const key = (eq < 0 ? pair : pair.slice(0, eq)).replace(/^userdb_/, "");
    const value = eq < 0 ? "" : pair.slice(eq + 1);
    if (key === "mail" || key === "quota_rule" || key === "home") entry[key] = value || null;
    if (key === "uid" || key === "gid") {
      if (!/^\d+$/.test(value))
        return { ok: false, line, reason: `${address.address.email}: ${key} "${value}" is not a number` };
      entry[key] = Number(value);
    }
  }
  return { ok: true, entry };
}
