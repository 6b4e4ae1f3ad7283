import type { LoginLookup } from "../accounts/login-cache.js";
import { replaceHashIfUnchanged, type UserdbFields } from "../accounts/queries.js";
import type { Background } from "../background.js";
import type { Db } from "../db/database.js";
import type { Logger } from "../log.js";
import type { PasswordHasher } from "../passwords/index.js";
import type { StrengthJudge } from "../strength/index.js";
import type { WeakFollowUp } from "./weak-password.js";

/** Why a login failed; every one of them gets the same reply on the wire. */
export type LoginFailure = "wrong_password" | "unknown_user" | "disabled" | "invalid_hash" | "weak_password";

export type LoginOutcome =
  | { ok: true; fields: UserdbFields }
  | {
      ok: false;
      reason: LoginFailure;
      detail?: string;
      /** Not to be answered before this performance.now() instant (see `authenticate`). */
      notBefore?: number;
    };

export interface LoginDeps {
  db: Db;
  hasher: PasswordHasher;
  log: Logger;
  background: Background;
  logins: LoginLookup;
  strength: StrengthJudge;
  weak: WeakFollowUp;
  config: { upgradeHashes: boolean };
}

/**
 * Decides a login: a weak password is refused before any hash is checked (it costs no
 * verification, and the reply is a wrong password's), then the password is checked. Every
 * failure must take as long as a verification at the current cost (docs/passwords.md, "Timing"),
 * so the time of a reply tells neither whether the account exists nor how its password is stored
 * nor whether the password was judged weak: a failure that cost less carries `notBefore`, and the
 * reply is held until then.
 */
export async function authenticate(
  deps: LoginDeps,
  login: string,
  password: string,
  requestLog?: () => Logger,
): Promise<LoginOutcome> {
  if (password === "") return { ok: false, reason: "wrong_password", detail: "empty" };
  const started = performance.now();
  const strength = deps.strength.judgeLogin(password, login);
  if (strength.weak) {
    const notBefore = await deps.hasher.failureDeadline(password, started);
    deps.weak.afterRefusal(login, password, notBefore);
    return { ok: false, reason: "weak_password", detail: strength.reason, notBefore };
  }
  return checkPassword(deps, login, password, started, requestLog);
}

/**
 * Checks a login's password against the stored hash. Unknown accounts cost one dummy
 * verification; failures on a hash cheaper than the current policy's (legacy digests) carry the
 * instant a verification would have ended, so the failures take the same time. Throws only on
 * infrastructure trouble (database, overloaded hash pool), which the caller answers as a
 * temporary failure. `requestLog` gives the request's logger (its request id) for the lines
 * written, made only then: nothing per request on the path that writes none.
 */
export async function checkPassword(
  deps: LoginDeps,
  login: string,
  password: string,
  started = performance.now(),
  requestLog?: () => Logger,
): Promise<LoginOutcome> {
  const row = await deps.logins.find(login);
  if (!row) {
    await deps.hasher.dummyVerify(password);
    return { ok: false, reason: "unknown_user" };
  }
  const verdict = await deps.hasher.verify(password, row.password_hash);
  if (verdict.status === "invalid") {
    (requestLog?.() ?? deps.log).error(
      { account: login, problem: verdict.reason },
      "stored password hash cannot be verified",
    );
    return { ok: false, reason: "invalid_hash" };
  }
  if (verdict.status === "mismatch" || !row.enabled) {
    const reason = verdict.status === "mismatch" ? "wrong_password" : "disabled";
    if (!deps.hasher.needsRehash(row.password_hash)) return { ok: false, reason };
    return { ok: false, reason, notBefore: await deps.hasher.failureDeadline(password, started) };
  }

  if (verdict.needsRehash && deps.config.upgradeHashes) {
    const { id, password_hash: old } = row;
    deps.background.run("upgrade password hash", async () => {
      const next = await deps.hasher.hash(password);
      if (await replaceHashIfUnchanged(deps.db, id, old, next))
        (requestLog?.() ?? deps.log).info({ account: login }, "password hash upgraded");
    });
  }
  const { home, mail, uid, gid, quota_rule } = row;
  return { ok: true, fields: { home, mail, uid, gid, quota_rule } };
}
