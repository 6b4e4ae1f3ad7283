import { type Address, parseAddress } from "./address.js";
import type { UserFields } from "./queries.js";

/** One account read from a Dovecot passwd-file line. */
export interface PasswdEntry extends UserFields {
  line: number;
  address: Address;
  /** {SCHEME}data; a bare hash gets the {CRYPT} Dovecot's passwd-file assumes for it. */
  hash: string;
  /** Names (never values) of the extra fields mailauth does not keep and that do not limit logins. */
  dropped: string[];
}

export type PasswdLine = { ok: true; entry: PasswdEntry } | { ok: false; line: number; reason: string };

// The userdb fields mailauth keeps, with or without the userdb_ prefix.
const KEPT = new Set(["home", "mail", "quota_rule", "uid", "gid"]);

const FIELD_NAME = /^[a-z][a-z0-9_]{0,39}$/;
// Dovecot's passdb fields that are written bare and change nothing mailauth does.
const BARE_FIELDS = new Set(["nodelay", "starttls"]);

// Passdb fields that limit, redirect or open up logins in a way mailauth cannot do: an account
// imported without them would log in where Dovecot refused it, so its line is refused instead.
const LIMITING: Record<string, string> = {
  allow_nets: "limits logins to some networks",
  allow_real_nets: "limits logins to some networks",
  proxy: "sends logins to another server",
  proxy_maybe: "sends logins to another server",
  host: "sends logins to another server",
  nologin: "refuses logins (import it without the field, then run 'mailauth user disable')",
  deny: "refuses logins (import it without the field, then run 'mailauth user disable')",
  fail: "refuses logins (import it without the field, then run 'mailauth user disable')",
  nopassword: "takes any password",
  user: "renames the login",
  login_user: "renames the login",
  master: "makes a master user",
  delay_until: "delays logins",
  k5principals: "lets Kerberos principals log in",
};

/**
 * Parses Dovecot's passwd-file format, `user:password:uid:gid:gecos:home:shell:extra_fields`
 * (everything after the password is optional). Blank lines and `#` comments are skipped. Extra
 * fields are space-separated `key=value`; the userdb ones mailauth keeps are mail, quota_rule,
 * home, uid and gid (`userdb_` prefixed or not), a line with a passdb field in LIMITING is
 * refused, any other field is dropped and named in `dropped`. A reason names the line's fields,
 * never their contents, except an address that parsed: a misplaced separator can put a password
 * anywhere.
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
  const [user = "", password = "", uid = "", gid = "", , home = "", , ...rest] = fields;
  const address = parseAddress(user);
  if (!address.ok) {
    const hint = /\s/.test(user.trim()) ? " (it holds a space: is the ':' after the address missing?)" : "";
    return { ok: false, line, reason: `the user field ${address.reason}${hint}` };
  }
  const email = address.address.email;
  const refuse = (reason: string): PasswdLine => ({ ok: false, line, reason: `${email}: ${reason}` });
  if (password === "") return refuse("no password field");

  const entry: PasswdEntry = {
    line,
    address: address.address,
    // Dovecot's passwd-file reads a password without {SCHEME} as its default scheme, CRYPT.
    hash: password.startsWith("{") ? password : `{CRYPT}${password}`,
    home: home || null,
    mail: null,
    uid: null,
    gid: null,
    quota_rule: null,
    dropped: [],
  };
  for (const [name, value] of [
    ["uid", uid],
    ["gid", gid],
  ] as const) {
    if (value === "") continue;
    if (!/^\d+$/.test(value)) return refuse(`the ${name} field is not a number`);
    entry[name] = Number(value);
  }
  // extra_fields may themselves contain ':' (mail=maildir:~/Maildir): rejoin what split took apart.
  for (const pair of rest.join(":").split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf("=");
    const name = (eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? "" : pair.slice(eq + 1);
    const userdb = name.startsWith("userdb_");
    const key = userdb ? name.slice("userdb_".length) : name;
    const limits = userdb ? undefined : LIMITING[key];
    if (limits) return refuse(`its passdb field ${key} ${limits}, which mailauth cannot do; not imported`);
    if (!KEPT.has(key)) {
      // Only what surely is a field name is named: a misplaced separator can put a password here.
      const named = eq > 0 ? FIELD_NAME.test(name) : BARE_FIELDS.has(name);
      entry.dropped.push(named ? name : "(a field that is not key=value)");
      continue;
    }
    if (key === "uid" || key === "gid") {
      if (!/^\d+$/.test(value)) return refuse(`the extra field ${name} is not a number`);
      entry[key] = Number(value);
    } else if (key === "mail" || key === "quota_rule" || key === "home") entry[key] = value || null;
  }
  return { ok: true, entry };
}
