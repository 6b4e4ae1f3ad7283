import {
  type AccountDeps,
  type AccountResult,
  addUser,
  type ImportReport,
  importPasswdFile,
  resetPassword,
  type Secret,
  type SetOptions,
} from "../accounts/accounts.js";
import {
  deleteUser,
  getUser,
  listDomains,
  removeDomain,
  setEnabled,
  type UserFields,
  upsertDomain,
} from "../accounts/queries.js";
import type { BanOutcome, BanRequest, Blacklist } from "../blacklist/blacklist.js";
import type { AllowRow, BanRow } from "../blacklist/queries.js";
import type { Queryable } from "../db/database.js";
import { recordAudit, userSnapshot } from "./audit.js";

/*
 * Every change the CLI and the admin API make goes through these, so each kind of change is
 * recorded in one place. Each runs the domain function, then appends what changed, as the
 * visible fields before and after: never a password or a hash.
 */

const iso = (d: Date | null) => d?.toISOString() ?? null;

function banSnapshot(ban: BanRow) {
  return {
    network: ban.network,
    reason: ban.reason,
    source: ban.source,
    level: ban.level,
    expires_at: iso(ban.expires_at),
  };
}

function allowSnapshot(entry: AllowRow) {
  return { network: entry.network, reason: entry.reason, expires_at: iso(entry.expires_at) };
}

async function domainSnapshot(db: Queryable, name: string) {
  const [row] = await listDomains(db, name);
  if (!row) return null;
  const { home, mail, uid, gid, quota_rule } = row;
  return { home, mail, uid, gid, quota_rule };
}

/** `user add`: creates an account. */
export async function auditedAddUser(
  deps: AccountDeps,
  actor: string,
  email: string,
  secret: Secret,
  fields: UserFields,
  options: SetOptions,
): Promise<AccountResult> {
  const result = await addUser(deps, email, secret, fields, options);
  if (result.ok) {
    const after = userSnapshot(await getUser(deps.db, result.email));
    await recordAudit(deps.db, { actor, action: "user.add", target: result.email, after });
  }
  return result;
}

/** `user passwd`: the new hash is never logged, only its scheme and the weak-password flag. */
export async function auditedResetPassword(
  deps: AccountDeps,
  actor: string,
  email: string,
  secret: Secret,
  options: SetOptions,
): Promise<AccountResult> {
  const before = userSnapshot(await getUser(deps.db, email.toLowerCase()));
  const result = await resetPassword(deps, email, secret, options);
  if (result.ok) {
    const after = userSnapshot(await getUser(deps.db, result.email));
    await recordAudit(deps.db, { actor, action: "user.passwd", target: result.email, before, after });
  }
  return result;
}

/** `user enable|disable`; false when there is no such account. */
export async function auditedSetEnabled(
  db: Queryable,
  actor: string,
  email: string,
  enabled: boolean,
): Promise<boolean> {
  const before = userSnapshot(await getUser(db, email));
  if (!(await setEnabled(db, email, enabled))) return false;
  const after = userSnapshot(await getUser(db, email));
  await recordAudit(db, {
    actor,
    action: enabled ? "user.enable" : "user.disable",
    target: email,
    before,
    after,
  });
  return true;
}

/** `user delete`; false when there is no such account. */
export async function auditedDeleteUser(db: Queryable, actor: string, email: string): Promise<boolean> {
  const before = userSnapshot(await getUser(db, email));
  if (!(await deleteUser(db, email))) return false;
  await recordAudit(db, { actor, action: "user.delete", target: email, before });
  return true;
}

/** `user import`: one entry naming the accounts it added. */
export async function auditedImport(
  deps: AccountDeps,
  actor: string,
  text: string,
  options: SetOptions,
): Promise<ImportReport> {
  const report = await importPasswdFile(deps, text, options);
  if (report.imported.length > 0)
    await recordAudit(deps.db, {
      actor,
      action: "user.import",
      target: null,
      after: {
        imported: report.imported,
        flagged: report.flagged,
        present: report.present.length,
        refused: report.refused.length,
      },
    });
  return report;
}

/** `domain add`: adds a domain or replaces its defaults; true when it existed. */
export async function auditedUpsertDomain(
  db: Queryable,
  actor: string,
  name: string,
  fields: UserFields,
): Promise<{ existed: boolean }> {
  const before = await domainSnapshot(db, name);
  await upsertDomain(db, name, fields);
  const after = await domainSnapshot(db, name);
  await recordAudit(db, { actor, action: "domain.upsert", target: name, before, after });
  return { existed: before !== null };
}

/** `domain remove`. */
export async function auditedRemoveDomain(
  db: Queryable,
  actor: string,
  name: string,
): ReturnType<typeof removeDomain> {
  const before = await domainSnapshot(db, name);
  const result = await removeDomain(db, name);
  if (result === "removed") await recordAudit(db, { actor, action: "domain.remove", target: name, before });
  return result;
}

/** `ban add`. */
export async function auditedBan(
  db: Queryable,
  blacklist: Blacklist,
  actor: string,
  request: BanRequest,
): Promise<BanOutcome> {
  const result = await blacklist.ban(request);
  if (result.ok)
    await recordAudit(db, {
      actor,
      action: "ban.add",
      target: result.ban.network,
      after: banSnapshot(result.ban),
    });
  return result;
}

/** `ban remove`: lifts the live bans inside a network. */
export async function auditedLift(
  db: Queryable,
  blacklist: Blacklist,
  actor: string,
  network: string,
  reason: string,
): Promise<BanRow[]> {
  const lifted = await blacklist.lift(network, reason);
  if (lifted.length > 0)
    await recordAudit(db, {
      actor,
      action: "ban.remove",
      target: network,
      before: lifted.map(banSnapshot),
      after: { reason },
    });
  return lifted;
}

/** `allow add`: also lifts the bans inside it. */
export async function auditedAllow(
  db: Queryable,
  blacklist: Blacklist,
  actor: string,
  network: string,
  reason: string,
  expiresAt: Date | null,
): ReturnType<Blacklist["allow"]> {
  const result = await blacklist.allow(network, reason, expiresAt);
  if (!("error" in result))
    await recordAudit(db, {
      actor,
      action: "allow.add",
      target: result.entry.network,
      before: result.lifted.length > 0 ? { lifted: result.lifted.map(banSnapshot) } : null,
      after: allowSnapshot(result.entry),
    });
  return result;
}

/** `allow remove`. */
export async function auditedUnallow(
  db: Queryable,
  blacklist: Blacklist,
  actor: string,
  network: string,
): ReturnType<Blacklist["unallow"]> {
  const result = await blacklist.unallow(network);
  if (result === "removed") await recordAudit(db, { actor, action: "allow.remove", target: network });
  return result;
}
