import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Blocklist } from "./blocklist.js";
import type { Family } from "./cidr.js";
import type { NftSettings } from "./config.js";
import { exportBlocklist } from "./export.js";
import { type KernelElement, listSet } from "./kernel-set.js";
import { acquireLock } from "./lock.js";
import { type NftRunner, nftError } from "./nft.js";
import { renderScript } from "./render.js";
import { LOCK_FILE, readLastSync, readSnapshot, writeLastSync, writeSnapshot } from "./state.js";
import { inspectTable } from "./table.js";
import { compareSet, diffSets } from "./verify.js";

export interface SyncDeps {
  run: NftRunner;
  nft: NftSettings;
  stateDir: string;
  now(): Date;
  /** Reads the bans; may throw (database or network down), which fails the sync. */
  source(): Promise<Blocklist>;
  /** Sets up to this many elements are listed before the apply; see LIST_BEFORE_UP_TO. */
  listBeforeUpTo?: number;
}

/**
 * The added/removed report compares with what the kernel held, listed before the apply. Listing
 * is the slow part of a sync on big sets (83 s for 1,000,000 elements with nft 1.0.6), so above
 * this many elements at the last sync, while the table and sets are the same ones (same handles,
 * same boot), the last sync's snapshot stands in for the listing: an element added by hand to
 * such a set is then removed without being named.
 */
export const LIST_BEFORE_UP_TO = 100_000;

export type SyncOutcome =
  | { ok: true; v4: number; v6: number; added: string[]; removed: string[]; warnings: string[] }
  | { ok: false; reason: string; warnings: string[] };

/**
 * One sync: read the bans, check that the table is missing or mailauth's, update it in one nft
 * transaction, then check that the kernel holds exactly the export. On any failure before the
 * apply the firewall is untouched; a refused script changes nothing either (nft -f is atomic).
 * Only a verified sync is recorded as good.
 */
export async function syncFirewall(deps: SyncDeps): Promise<SyncOutcome> {
  let lock: ReturnType<typeof acquireLock>;
  try {
    lock = acquireLock(join(deps.stateDir, LOCK_FILE));
  } catch (error) {
    const reason = `cannot take the lock in ${deps.stateDir}, firewall left as it was: ${(error as Error).message}`;
    return { ok: false, reason, warnings: [] };
  }
  if (!lock.ok) {
    const who = Number.isNaN(lock.holder) ? "" : ` (pid ${lock.holder})`;
    return { ok: false, reason: `another sync is running${who}`, warnings: [] };
  }
  try {
    return await syncLocked(deps);
  } finally {
    lock.release();
  }
}

async function syncLocked(deps: SyncDeps): Promise<SyncOutcome> {
  const warnings: string[] = [];
  const fail = (reason: string): SyncOutcome => ({ ok: false, reason, warnings });
  const { nft } = deps;
  const tableName = `${nft.family} ${nft.table}`;
  const previous = readLastSync(deps.stateDir);
  if (previous?.table !== undefined && previous.table !== tableName)
    warnings.push(
      `${deps.stateDir} was last used by the sync of table ${previous.table}: each table needs its own MAILAUTH_FIREWALL_STATE_DIR (lock, last-sync.json)`,
    );
  let list: Blocklist;
  try {
    list = await deps.source();
  } catch (error) {
    return fail(`cannot read the bans, firewall left as it was: ${(error as Error).message}`);
  }
  const now = deps.now();
  const exported = exportBlocklist(list, now);
  if (exported.invalid.length > 0)
    warnings.push(
      `ignored ${exported.invalid.length} entries that are not addresses: ${exported.invalid.slice(0, 5).join(", ")}`,
    );

  const table = await inspectTable(deps.run, nft);
  if (table.kind === "foreign" || table.kind === "error")
    return fail(`${table.reason}; firewall left as it was`);

  // What the sets held before, to report what changed: nothing when the table is missing; the
  // last sync's snapshot when the sets are big and still the same ones; else listed now.
  const identity = (handles: string) =>
    `${tableName} ${nft.set4} ${nft.set6} boot ${bootId()} handles ${handles}`;
  const snapshot = table.kind === "ours" ? readSnapshot(deps.stateDir, identity(table.handles)) : null;
  const trusted =
    snapshot !== null &&
    snapshot.elements[4].length + snapshot.elements[6].length > (deps.listBeforeUpTo ?? LIST_BEFORE_UP_TO);
  const before =
    table.kind === "missing"
      ? { ok: true as const, sets: { 4: [], 6: [] } }
      : trusted
        ? { ok: true as const, sets: snapshot.elements }
        : await listBoth(deps);
  if (!before.ok) return fail(`${before.reason}; firewall left as it was`);

  // Whether the apply made the table or its sets anew (new handles for the snapshot to name).
  let recreated = table.kind !== "ours";
  if (table.kind === "unmarked") {
    const replaced = await deps.run(["-f", "-"], renderScript(nft, exported, now, "replace"));
    if (replaced.code !== 0)
      return fail(`nft did not apply the script, firewall left as it was: ${nftError(replaced)}`);
    warnings.push(
      `re-created table ${tableName} whole to mark it as mailauth's (an earlier version made it)`,
    );
  } else {
    const applied = await deps.run(["-f", "-"], renderScript(nft, exported, now, "update"));
    if (applied.code !== 0) {
      // Most likely our table holds a set of our name with another shape: replace the table whole.
      const replaced = await deps.run(["-f", "-"], renderScript(nft, exported, now, "replace"));
      if (replaced.code !== 0)
        return fail(`nft did not apply the script, firewall left as it was: ${nftError(applied)}`);
      recreated = true;
      warnings.push(`replaced table ${tableName} whole, as nft refused to update it: ${nftError(applied)}`);
    }
  }

  const after = await listBoth(deps);
  if (!after.ok) return fail(`applied, but cannot verify: ${after.reason}`);
  const readAt = deps.now();
  const problems = [
    ...compareSet(4, exported.v4, after.sets[4], now, readAt).map((p) => `${nft.set4}: ${p}`),
    ...compareSet(6, exported.v6, after.sets[6], now, readAt).map((p) => `${nft.set6}: ${p}`),
  ];
  if (problems.length > 0)
    return fail(`the kernel does not hold the export after the apply: ${problems.join("; ")}`);

  const d4 = diffSets(4, before.sets[4], after.sets[4]);
  const d6 = diffSets(6, before.sets[6], after.sets[6]);
  const outcome = {
    ok: true as const,
    v4: exported.v4.length,
    v6: exported.v6.length,
    added: [...d4.added, ...d6.added],
    removed: [...d4.removed, ...d6.removed],
    warnings,
  };
  try {
    // An update keeps the table and sets (it flushes them): their handles are the ones read
    // before, and reading them again would cost another pass over every element.
    const synced = recreated ? await inspectTable(deps.run, nft) : table;
    if (synced.kind === "ours")
      writeSnapshot(deps.stateDir, { sets: identity(synced.handles), elements: after.sets });
    writeLastSync(deps.stateDir, {
      time: deps.now().toISOString(),
      table: tableName,
      v4: outcome.v4,
      v6: outcome.v6,
      added: outcome.added.length,
      removed: outcome.removed.length,
    });
  } catch (error) {
    warnings.push(`synced, but cannot record it in ${deps.stateDir}: ${(error as Error).message}`);
  }
  return outcome;
}

/** This boot's id: table handles restart at each boot, so a snapshot names the boot it was taken in. */
function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "-";
  }
}

async function listBoth(
  deps: SyncDeps,
): Promise<{ ok: true; sets: Record<Family, KernelElement[]> } | { ok: false; reason: string }> {
  const v4 = await listSet(deps.run, deps.nft, 4);
  if (!v4.ok) return v4;
  const v6 = await listSet(deps.run, deps.nft, 6);
  if (!v6.ok) return v6;
  return { ok: true, sets: { 4: v4.elements, 6: v6.elements } };
}
