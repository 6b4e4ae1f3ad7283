import type { Db } from "../db/database.js";
import { checkHashFormat, type PasswordHasher } from "../passwords/index.js";
import { parseAddress } from "./address.js";
import { parsePasswdFile } from "./passwd-file.js";
import { insertUser, setPassword, type UserFields } from "./queries.js";

/** What account changes need. */
export interface AccountDeps {
  db: Db;
  hasher: PasswordHasher;
}

/** A new password as typed, or an existing hash to keep as it is. */
export type Secret = { password: string } | { hash: string };

export type AccountResult = { ok: true; email: string; mustChange: boolean } | { ok: false; reason: string };

export const NO_FIELDS: UserFields = { home: null, mail: null, uid: null, gid: null, quota_rule: null };

// Plaintext "hashes" are hashed on the way in: mailauth never stores a password it could read back.
const PLAINTEXT = /^\{(PLAIN|CLEARTEXT)(\.B64|\.HEX)?\}/i;

/** Turns what the operator gave into a hash to store, or a reason it cannot be taken. */
async function hashToStore(deps: AccountDeps, secret: Secret): Promise<{ ok: true; hash: string } | { ok: false; reason: string }> {
  if ("password" in secret) {
    if (secret.password === "") return { ok: false, reason: "the password is empty" };
    return { ok: true, hash: await deps.hasher.hash(secret.password) };
  }
  const format = checkHashFormat(secret.hash);
  if (!format.ok) return { ok: false, reason: `the hash cannot be used: ${format.reason}` };
  if (PLAINTEXT.test(secret.hash)) {
    const plain = decodePlain(secret.hash);
    if (plain === null || plain === "") return { ok: false, reason: "the {PLAIN} value is empty or badly encoded" };
    return { ok: true, hash: await deps.hasher.hash(plain) };
  }
  return { ok: true, hash: secret.hash };
}

function decodePlain(stored: string): string | null {
  const match = /^\{[^}.]+(\.B64|\.HEX)?\}(.*)$/is.exec(stored);
  if (!match) return null;
  const data = match[2] ?? "";
  const encoding = match[1]?.toUpperCase();
  if (encoding === ".B64") return Buffer.from(data, "base64").toString("utf8");
  if (encoding === ".HEX") return /^([0-9a-f]{2})*$/i.test(data) ? Buffer.from(data, "hex").toString("utf8") : null;
  return data;
}

/** Creates an account. */
export async function addUser(
  deps: AccountDeps,
  email: string,
  secret: Secret,
  fields: UserFields = NO_FIELDS,
): Promise<AccountResult> {
  const address = parseAddress(email);
  if (!address.ok) return { ok: false, reason: `${email} ${address.reason}` };
  const hash = await hashToStore(deps, secret);
  if (!hash.ok) return hash;
  const inserted = await insertUser(deps.db, {
    email: address.address.email,
    domain: address.address.domain,
    passwordHash: hash.hash,
    mustChange: false,
    ...fields,
  });
  if (!inserted) return { ok: false, reason: `${address.address.email} already exists` };
  return { ok: true, email: address.address.email, mustChange: false };
}

/** Resets a password: the only way to change one, and it never shows the old or the new. */
export async function resetPassword(deps: AccountDeps, email: string, secret: Secret): Promise<AccountResult> {
  const address = parseAddress(email);
  if (!address.ok) return { ok: false, reason: `${email} ${address.reason}` };
  const hash = await hashToStore(deps, secret);
  if (!hash.ok) return hash;
  if (!(await setPassword(deps.db, address.address.email, hash.hash, false))) {
    return { ok: false, reason: `no account ${address.address.email}` };
  }
  return { ok: true, email: address.address.email, mustChange: false };
}

export interface ImportReport {
  imported: string[];
  present: string[];
  refused: { line: number; reason: string }[];
}

/**
 * Imports a Dovecot passwd-file. Hashes are kept as they are (and upgraded at the next login);
 * existing accounts are left alone, so a re-run adds only what is new.
 */
export async function importPasswdFile(deps: AccountDeps, text: string): Promise<ImportReport> {
  const report: ImportReport = { imported: [], present: [], refused: [] };
  for (const parsed of parsePasswdFile(text)) {
    if (!parsed.ok) {
      report.refused.push({ line: parsed.line, reason: parsed.reason });
      continue;
    }
    const { entry } = parsed;
    const { home, mail, uid, gid, quota_rule } = entry;
    const result = await addUser(deps, entry.address.email, { hash: entry.hash }, { home, mail, uid, gid, quota_rule });
    if (result.ok) report.imported.push(result.email);
    else if (result.reason.endsWith("already exists")) report.present.push(entry.address.email);
    else report.refused.push({ line: entry.line, reason: `${entry.address.email}: ${result.reason}` });
  }
  return report;
}
