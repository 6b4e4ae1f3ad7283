import type { Db, Queryable } from "../db/database.js";
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

/**
 * How a change's rows are written, once its passwords are hashed: directly by default; the audit
 * log runs the write in a transaction with its own entry (src/audit/changes.ts). Hashing stays
 * outside, so no transaction (and, on the embedded database, no other query) waits for it.
 */
export type Store<T> = (write: (db: Queryable) => Promise<T>) => Promise<T>;

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
  store: Store<AccountResult> = (write) => write(deps.db),
): Promise<AccountResult> {
  const address = parseAddress(email);
  if (!address.ok) return { ok: false, reason: `${email} ${address.reason}` };
  const hash = await hashToStore(deps, address.address.email, secret, options);
  if (!hash.ok) return hash;
  return store(async (db) => {
    const inserted = await insertUser(db, {
      email: address.address.email,
      domain: address.address.domain,
      passwordHash: hash.hash,
      mustChange: hash.weak,
      ...fields,
    });
    if (!inserted) return { ok: false, reason: `${address.address.email} already exists` };
    return { ok: true, email: address.address.email, mustChange: hash.weak };
  });
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
  store: Store<AccountResult> = (write) => write(deps.db),
): Promise<AccountResult> {
  const address = parseAddress(email);
  if (!address.ok) return { ok: false, reason: `${email} ${address.reason}` };
  const hash = await hashToStore(deps, address.address.email, secret, options);
  if (!hash.ok) return hash;
  return store(async (db) => {
    if (!(await setPassword(db, address.address.email, hash.hash, hash.weak)))
      return { ok: false, reason: `no account ${address.address.email}` };
    return { ok: true, email: address.address.email, mustChange: hash.weak };
  });
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
 * existing accounts are left alone, so a re-run adds only what is new. Every entry is checked
 * (and a {PLAIN} one hashed) first, then all are written in one `store`.
 */
export async function importPasswdFile(
  deps: AccountDeps,
  text: string,
  options: SetOptions = {},
  store: Store<ImportReport> = (write) => write(deps.db),
): Promise<ImportReport> {
  const report: ImportReport = { imported: [], flagged: [], present: [], refused: [] };
  const writes: { email: string; write: (db: Queryable) => Promise<AccountResult> }[] = [];
  const deferred: AccountResult = { ok: false, reason: "deferred" };
  for (const parsed of parsePasswdFile(text)) {
    if (!parsed.ok) {
      report.refused.push({ line: parsed.line, reason: parsed.reason });
      continue;
    }
    const { entry } = parsed;
    const { home, mail, uid, gid, quota_rule } = entry;
    const email = entry.address.email;
    const result = await addUser(
      deps,
      email,
      { hash: entry.hash },
      { home, mail, uid, gid, quota_rule },
      options,
      async (write) => {
        writes.push({ email, write });
        return deferred;
      },
    );
    if (result !== deferred && !result.ok)
      report.refused.push({ line: entry.line, reason: `${email}: ${result.reason}` });
  }
  return store(async (db) => {
    for (const { email, write } of writes) {
      const result = await write(db);
      if (result.ok) {
        report.imported.push(result.email);
        if (result.mustChange) report.flagged.push(result.email);
      } else report.present.push(email);
    }
    return report;
  });
}
