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
import type { Db, Queryable } from "../db/database.js";
import { type AuditEntry, ChangeNotMade, recordAudit, userSnapshot } from "./audit.js";

/*
 * Every change the CLI and the admin API make goes through these, so each kind of change is
 * recorded in one place. The change and its entry (the visible fields before and after, never a
 * password or a hash: a create has only after, a delete only before) are one transaction: if the
 * entry cannot be written the change is undone, and the caller gets ChangeNotMade.
 */

/** Runs a change; any failure on the way (the database, the hash pool) becomes ChangeNotMade. */
async function changing<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw error instanceof ChangeNotMade ? error : new ChangeNotMade(error);
  }
}

/** A change of rows and its entry in one transaction; no entry when `entry` gives null. */
function inTransaction<T>(
  db: Db,
  change: (tx: Queryable) => Promise<T>,
  entry: (tx: Queryable, changed: T) => Promise<AuditEntry | null>,
): Promise<T> {
  return changing(() =>
    db.transaction(async (tx) => {
      const changed = await change(tx);
      const recorded = await entry(tx, changed);
      if (recorded) await recordAudit(tx, recorded);
      return changed;
    }),
  );
}

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
export function auditedAddUser(
  deps: AccountDeps,
  actor: string,
  email: string,
  secret: Secret,
  fields: UserFields,
  options: SetOptions,
): Promise<AccountResult> {
  return changing(() =>
    addUser(deps, email, secret, fields, options, (write) =>
      inTransaction(deps.db, write, async (tx, result) =>
        result.ok
          ? {
              actor,
              action: "user.add",
              target: result.email,
              after: userSnapshot(await getUser(tx, result.email)),
            }
          : null,
      ),
    ),
  );
}

/** `user passwd`: the new hash is never logged, only its scheme, the weak-password flag and when. */
export function auditedResetPassword(
  deps: AccountDeps,
  actor: string,
  email: string,
  secret: Secret,
  options: SetOptions,
): Promise<AccountResult> {
  const target = email.toLowerCase();
  return changing(() =>
    resetPassword(deps, email, secret, options, (write) => {
      let before: Record<string, unknown> | null = null;
      return inTransaction(
        deps.db,
        async (tx) => {
          before = userSnapshot(await getUser(tx, target));
          return write(tx);
        },
        async (tx, result) =>
          result.ok
            ? {
                actor,
                action: "user.passwd",
                target: result.email,
                before,
                after: userSnapshot(await getUser(tx, result.email)),
              }
            : null,
      );
    }),
  );
}

/** `user enable|disable`; false when there is no such account. */
export function auditedSetEnabled(db: Db, actor: string, email: string, enabled: boolean): Promise<boolean> {
  let before: Record<string, unknown> | null = null;
  return inTransaction(
    db,
    async (tx) => {
      before = userSnapshot(await getUser(tx, email));
      return setEnabled(tx, email, enabled);
    },
    async (tx, found) =>
      found
        ? {
            actor,
            action: enabled ? "user.enable" : "user.disable",
            target: email,
            before,
            after: userSnapshot(await getUser(tx, email)),
          }
        : null,
  );
}

/** `user delete`; false when there is no such account. */
export function auditedDeleteUser(db: Db, actor: string, email: string): Promise<boolean> {
  let before: Record<string, unknown> | null = null;
  return inTransaction(
    db,
    async (tx) => {
      before = userSnapshot(await getUser(tx, email));
      return deleteUser(tx, email);
    },
    async (_tx, found) => (found ? { actor, action: "user.delete", target: email, before } : null),
  );
}

/** `user import`: one entry naming the accounts it added. */
export function auditedImport(
  deps: AccountDeps,
  actor: string,
  text: string,
  options: SetOptions,
): Promise<ImportReport> {
  return changing(() =>
    importPasswdFile(deps, text, options, (write) =>
      inTransaction(deps.db, write, async (_tx, report) =>
        report.imported.length > 0
          ? {
              actor,
              action: "user.import",
              target: null,
              after: {
                imported: report.imported,
                flagged: report.flagged,
                present: report.present.length,
                refused: report.refused.length,
              },
            }
          : null,
      ),
    ),
  );
}

/** `domain add`: adds a domain or replaces its defaults; true when it existed. */
export async function auditedUpsertDomain(
  db: Db,
  actor: string,
  name: string,
  fields: UserFields,
): Promise<{ existed: boolean }> {
  let before: Awaited<ReturnType<typeof domainSnapshot>> = null;
  await inTransaction(
    db,
    async (tx) => {
      before = await domainSnapshot(tx, name);
      await upsertDomain(tx, name, fields);
    },
    async (tx) => ({
      actor,
      action: "domain.upsert",
      target: name,
      before,
      after: await domainSnapshot(tx, name),
    }),
  );
  return { existed: before !== null };
}

/** `domain remove`. */
export function auditedRemoveDomain(db: Db, actor: string, name: string): ReturnType<typeof removeDomain> {
  let before: Awaited<ReturnType<typeof domainSnapshot>> = null;
  return inTransaction(
    db,
    async (tx) => {
      before = await domainSnapshot(tx, name);
      return removeDomain(tx, name);
    },
    async (_tx, result) =>
      result === "removed" ? { actor, action: "domain.remove", target: name, before } : null,
  );
}

/** `ban add`: a ban replacing a live one of the same network shows that one as before. */
export function auditedBan(blacklist: Blacklist, actor: string, request: BanRequest): Promise<BanOutcome> {
  return changing(() =>
    blacklist.ban(request, (tx, { ban, replaced }) =>
      recordAudit(tx, {
        actor,
        action: "ban.add",
        target: ban.network,
        before: replaced.length > 0 ? { replaced: replaced.map(banSnapshot) } : null,
        after: banSnapshot(ban),
      }),
    ),
  );
}

/** `ban remove`: lifts the live bans inside a network. */
export function auditedLift(
  blacklist: Blacklist,
  actor: string,
  network: string,
  reason: string,
): Promise<BanRow[]> {
  return changing(() =>
    blacklist.lift(network, reason, (tx, lifted) =>
      recordAudit(tx, {
        actor,
        action: "ban.remove",
        target: network,
        before: { live: lifted.map(banSnapshot) },
        after: { live: [], lifted_reason: reason },
      }),
    ),
  );
}

/** `allow add`: also lifts the bans inside it. */
export function auditedAllow(
  blacklist: Blacklist,
  actor: string,
  network: string,
  reason: string,
  expiresAt: Date | null,
): ReturnType<Blacklist["allow"]> {
  return changing(() =>
    blacklist.allow(network, reason, expiresAt, (tx, { entry, lifted }) =>
      recordAudit(tx, {
        actor,
        action: "allow.add",
        target: entry.network,
        before: lifted.length > 0 ? { lifted: lifted.map(banSnapshot) } : null,
        after: allowSnapshot(entry),
      }),
    ),
  );
}

/** `allow remove`: the removed entry is the before. */
export function auditedUnallow(
  blacklist: Blacklist,
  actor: string,
  network: string,
): ReturnType<Blacklist["unallow"]> {
  return changing(() =>
    blacklist.unallow(network, (tx, entry) =>
      recordAudit(tx, { actor, action: "allow.remove", target: entry.network, before: allowSnapshot(entry) }),
    ),
  );
}
