import { randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { LoginLookup } from "../accounts/login-cache.js";
import { flagMustChange } from "../accounts/queries.js";
import type { WeakPasswordNotifier } from "../accounts/weak-notify.js";
import type { Background } from "../background.js";
import type { Clock } from "../clock.js";
import type { Db } from "../db/database.js";
import type { Logger } from "../log.js";
import type { PasswordHasher } from "../passwords/index.js";
import { passwordTag } from "../reputation/evidence.js";

export interface WeakFollowUpDeps {
  db: Db;
  logins: LoginLookup;
  hasher: PasswordHasher;
  background: Background;
  log: Logger;
  clock: Clock;
  notifyWeak: WeakPasswordNotifier;
}

export interface WeakFollowUp {
  /**
   * Called when a weak password was refused; the check runs once the refusal's reply is out,
   * `replyAt` being when it is sent (a performance.now() instant, see `authenticate`).
   */
  afterRefusal(login: string, password: string, replyAt: number): void;
  stats(): { checked: number; skipped: number; flagged: number };
}

// Checking costs a real verification; under a dictionary attack that must not become a way to
// make the server hash for free. Each (login, password) is checked once a day at most, and never
// while the hash pool has work waiting.
const RECHECK_MS = 24 * 3600_000;
// A bcrypt run while the refusal is held would load the machine then, only for existing accounts:
// the refusal's time would tell that the account exists. So the check waits until just after.
const AFTER_REPLY_MS = 5;

/**
 * A weak password is refused before its hash is checked, so the owner of an account whose real
 * password is weak would never find out. After the reply, this checks whether the refused
 * password was in fact right; if so the account is flagged `must_change_password` (only a reset to
 * a strong password clears it) and its owner is notified out of band.
 */
export function createWeakFollowUp(deps: WeakFollowUpDeps): WeakFollowUp {
  const key = randomBytes(32);
  const recent = new LRUCache<string, true>({ max: 100_000, ttl: RECHECK_MS });
  let checked = 0;
  let skipped = 0;
  let flagged = 0;

  return {
    afterRefusal(login, password, replyAt) {
      const tag = passwordTag(key, login, password);
      if (recent.has(tag) || deps.hasher.stats().queued > 0) {
        skipped++;
        return;
      }
      recent.set(tag, true);
      deps.background.run("check a refused weak password", async () => {
        const wait = replyAt + AFTER_REPLY_MS - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const row = await deps.logins.find(login);
        if (!row?.enabled) return;
        checked++;
        const verdict = await deps.hasher.verify(password, row.password_hash);
        if (verdict.status !== "match") return;
        if (await flagMustChange(deps.db, row.id)) {
          flagged++;
          deps.log.warn({ account: login }, "account's real password is weak: flagged for a password change");
          await deps.notifyWeak(login, deps.clock.now());
        }
      });
    },
    stats: () => ({ checked, skipped, flagged }),
  };
}
