import { join } from "node:path";
import type { Blocklist } from "./blocklist.js";
import type { Family } from "./cidr.js";
import type { NftSettings } from "./config.js";
import { exportBlocklist } from "./export.js";
import { type KernelElement, listSet } from "./kernel-set.js";
import { acquireLock } from "./lock.js";
import { type NftRunner, nftError } from "./nft.js";
import { renderScript } from "./render.js";
import { LOCK_FILE, readSnapshot, writeLastSync, writeSnapshot } from "./state.js";
import { compareSet, diffSets } from "./verify.js";

export interface SyncDeps {
  run: NftRunner;
  nft: NftSettings;
  stateDir: string;
  now(): Date;
  /** Reads the bans; may throw (database or network down), which fails the sync. */
  source(): Promise<Blocklist>;
}

export type SyncOutcome =
  | { ok: true; v4: number; v6: number; added: string[]; removed: string[]; warnings: string[] }
  | { ok: false; reason: string; warnings: string[] };

/**
 * One sync: read the bans, update the table in one nft transaction, then check that the kernel
 * holds exactly the export. On any failure before the apply the firewall is untouched; a refused
 * script changes nothing either (nft -f is atomic). Only a verified sync is recorded as good.
 */
export async function syncFirewall(deps: SyncDeps): Promise<SyncOutcome> {
  const lock = acquireLock(join(deps.stateDir, LOCK_FILE));
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

  // What the sets held before: as the last good sync left them, else (first run, changed
  // settings) as listed now. Listing is the slow part of a sync on big sets.
  const identity = `${deps.nft.family} ${deps.nft.table} ${deps.nft.set4} ${deps.nft.set6}`;
  const snapshot = readSnapshot(deps.stateDir, identity);
  const before = snapshot ? { ok: true as const, sets: snapshot.elements } : await listBoth(deps);
  if (!before.ok) return fail(`${before.reason}; firewall left as it was`);

  const applied = await deps.run(["-f", "-"], renderScript(deps.nft, exported, now, "update"));
  if (applied.code !== 0) {
    // Most likely the table holds a set of our name with another shape: replace the table whole.
    const replaced = await deps.run(["-f", "-"], renderScript(deps.nft, exported, now, "replace"));
    if (replaced.code !== 0)
      return fail(`nft did not apply the script, firewall left as it was: ${nftError(applied)}`);
    warnings.push(
      `replaced table ${deps.nft.family} ${deps.nft.table} whole, as nft refused to update it: ${nftError(applied)}`,
    );
  }

  const after = await listBoth(deps);
  if (!after.ok) return fail(`applied, but cannot verify: ${after.reason}`);
  const problems = [
    ...compareSet(4, exported.v4, after.sets[4], now).map((p) => `${deps.nft.set4}: ${p}`),
    ...compareSet(6, exported.v6, after.sets[6], now).map((p) => `${deps.nft.set6}: ${p}`),
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
    writeSnapshot(deps.stateDir, { sets: identity, elements: after.sets });
    writeLastSync(deps.stateDir, {
      time: now.toISOString(),
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

async function listBoth(
  deps: SyncDeps,
): Promise<{ ok: true; sets: Record<Family, KernelElement[]> } | { ok: false; reason: string }> {
  const v4 = await listSet(deps.run, deps.nft, 4);
  if (!v4.ok) return v4;
  const v6 = await listSet(deps.run, deps.nft, 6);
  if (!v6.ok) return v6;
  return { ok: true, sets: { 4: v4.elements, 6: v6.elements } };
}
