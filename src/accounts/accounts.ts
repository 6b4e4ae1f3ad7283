import type { Db } from "../db/database.js";
import { checkHashFormat, type PasswordHasher } from "../passwords/index.js";
import type { StrengthJudge } from "../strength/index.js";
import { parseAddress } from "./address.js";
import { parsePasswdFile } from "./passwd-file.js";
import { insertUser, setPassword, type UserFields } from "./queries.js";

/** What account changes need. */
export interface AccountDeps {
  db: Db;
  hasher: PasswordHasher;
  strength: StrengthJudge;
}

/** `allowWeak`: take a password the set policy refuses (legacy imports); the account is flagged. */
export interface SetOptions {
  allowWeak?: boolean;
}

/** A new password as typed, or an existing hash to keep as it is. */
export type Secret = { password: string } | { hash: string };

export type AccountResult = { ok: true; email: string; mustChange: boolean } | { ok: false; reason: string };

export const NO_FIELDS: UserFields = { home: null, mail: null, uid: null, gid: null, quota_rule: null };

// Plaintext "hashes" are hashed on the way in: mailauth never stores a password it could read back.
const PLAINTEXT = /^\{(PLAIN|CLEARTEXT)(\.B64|\.HEX)?\}/i;

type ToStore = { ok: true; hash: string; weak: boolean } | { ok: false; reason: string };

/**
 * Turns what the operator gave into a hash to store, or a reason it cannot be taken. A password
 * (typed, or a {PLAIN} one being imported) must pass the set policy unless weak ones are allowed,
 * and is then marked weak; an existing hash is taken as is (its password is judged at login).
 */
async function hashToStore(
  deps: AccountDeps,
  email: string,
  secret: Secret,
  options: SetOptions,
): Promise<ToStore> {
  let password: string;
  if ("password" in secret) {
    password = secret.password;
  } else {
    const format = checkHashFormat(secret.hash);
    if (!format.ok) return { ok: false, reason: `the hash cannot be used: ${format.reason}` };
    if (!PLAINTEXT.test(secret.hash)) return { ok: true, hash: secret.hash, weak: false };
    const plain = decodePlain(secret.hash);
    if (plain === null) return { ok: false, reason: "the {PLAIN} value is badly encoded" };
    password = plain;
  }
  if (password === "") return { ok: false, reason: "the password is empty" };
  const verdict = deps.strength.judgeNewPassword(password, email);
  if (!verdict.ok && !options.allowWeak)
    return { ok: false, reason: `the password is too weak: ${verdict.problems.join(" ")}` };
  return { ok: true, hash: await deps.hasher.hash(password), weak: !verdict.ok };
}

function decodePlain(stored: string): string | null {
  const match = /^\{[^}.]+(\.B64|\.HEX)?\}(.*)$/is.exec(stored);
  if (!match) return null;
  const data = match[2] ?? "";
  const encoding = match[1]?.toUpperCase();
  if (encoding === ".B64") return Buffer.from(data, "base64").toString("utf8");
  if (encoding === ".HEX")
    return /^([0-9a-f]{2})*$/i.test(data) ? Buffer.from(data, "hex").toString("utf8") : null;
  return data;
}

/** Creates an account. */
export async function addUser(
  deps: AccountDeps,
  email: string,
  secret: Secret,
  fields: UserFields = NO_FIELDS,
  options: SetOptions = {},
): Promise<AccountResult> {
  const address = parseAddress(email);
  if (!address.ok) return { ok: false, reason: `${email} ${address.reason}` };
  const hash = await hashToStore(deps, address.address.email, secret, options);
  if (!hash.ok) return hash;
  const inserted = await insertUser(deps.db, {
    email: address.address.email,
    domain: address.address.domain,
    passwordHash: hash.hash,
    mustChange: hash.weak,
    ...fields,
  });
  if (!inserted) return { ok: false, reason: `${address.address.email} already exists` };
  return { ok: true, email: address.address.email, mustChange: hash.weak };
}

/**
 * Resets a password: the only way to change one, and it never shows the old or the new. A strong
 * new password clears the weak-password flag; a weak one allowed on purpose sets it.
 */
export async function resetPassword(
  deps: AccountDeps,
  email: string,
  secret: Secret,
  options: SetOptions = {},
): Promise<AccountResult> {
  const address = parseAddress(email);
  if (!address.ok) return { ok: false, reason: `${email} ${address.reason}` };
  const hash = await hashToStore(deps, address.address.email, secret, options);
  if (!hash.ok) return hash;
  if (!(await setPassword(deps.db, address.address.email, hash.hash, hash.weak))) {
    return { ok: false, reason: `no account ${address.address.email}` };
  }
  return { ok: true, email: address.address.email, mustChange: hash.weak };
}

export interface ImportReport {
  imported: string[];
  /** Imported with a weak {PLAIN} password (allowed on purpose) and flagged for a change. */
  flagged: string[];
  present: string[];
  refused: { line: number; reason: string }[];
}

/**
 * Imports a Dovecot passwd-file. Hashes are kept as they are (and upgraded at the next login);
 * existing accounts are left alone, so a re-run adds only what is new.
 */
export async function importPasswdFile(
  deps: AccountDeps,
  text: string,
  options: SetOptions = {},
): Promise<ImportReport> {
  const report: ImportReport = { imported: [], flagged: [], present: [], refused: [] };
  for (const parsed of parsePasswdFile(text)) {
    if (!parsed.ok) {
      report.refused.push({ line: parsed.line, reason: parsed.reason });
      continue;
    }
    const { entry } = parsed;
    const { home, mail, uid, gid, quota_rule } = entry;
    const result = await addUser(
      deps,
      entry.address.email,
      { hash: entry.hash },
      { home, mail, uid, gid, quota_rule },
      options,
    );
    if (result.ok) {
      report.imported.push(result.email);
      if (result.mustChange) report.flagged.push(result.email);
    } else if (result.reason.endsWith("already exists")) report.present.push(entry.address.email);
    else report.refused.push({ line: entry.line, reason: `${entry.address.email}: ${result.reason}` });
  }
  return report;
}
