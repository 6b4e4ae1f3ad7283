import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { LoginRow } from "../../../src/accounts/queries.js";
import { authenticate, type LoginDeps } from "../../../src/auth/login.js";
import type { Db } from "../../../src/db/database.js";
import { createLogger } from "../../../src/log.js";
import { createPasswordHasher, type PasswordHasher } from "../../../src/passwords/index.js";

const STRONG = "plume-Horizon-71-vague";
const WEAK = "azerty123";
const ssha512 = (password: string) => {
  const salt = Buffer.from("salt");
  const digest = createHash("sha512").update(password).update(salt).digest();
  return `{SSHA512}${Buffer.concat([digest, salt]).toString("base64")}`;
};

const real = createPasswordHasher({ bcryptCost: 4, workers: 1, queueMax: 4 });
afterAll(() => real.close());

/** authenticate() with one account and a hasher that counts the failures it holds. */
async function loginWith(row: Partial<LoginRow> | null, password: string) {
  const padded: string[] = [];
  const hasher: PasswordHasher = {
    ...real,
    failureDeadline(p, started) {
      padded.push(p === password ? "password" : "other");
      return real.failureDeadline(p, started);
    },
  };
  const account: LoginRow | null = row && {
    id: 1,
    password_hash: row.password_hash ?? (await real.hash(STRONG)),
    enabled: row.enabled ?? true,
    home: "",
    mail: "",
    uid: "",
    gid: "",
    quota_rule: "",
  };
  const deps: LoginDeps = {
    db: {} as Db,
    hasher,
    log: createLogger({ logLevel: "silent", logFormat: "json" }),
    background: { run: () => undefined } as unknown as LoginDeps["background"],
    logins: { find: async () => account } as unknown as LoginDeps["logins"],
    strength: {
      judgeLogin: (p: string) => (p === WEAK ? { weak: true, reason: "score 0" } : { weak: false }),
    } as unknown as LoginDeps["strength"],
    weak: { afterRefusal: () => undefined } as unknown as LoginDeps["weak"],
    config: { upgradeHashes: false },
  };
  return { outcome: await authenticate(deps, "jean@exemple.fr", password), padded };
}

describe("authenticate(): every failure takes a verification's time", () => {
  it("holds a weak password's refusal, which checks no hash", async () => {
    const before = performance.now();
    const { outcome, padded } = await loginWith({}, WEAK);
    expect(outcome).toMatchObject({ ok: false, reason: "weak_password" });
    expect(padded).toEqual(["password"]);
    // The reply waits, not the decision: the deadline is a verification's time after the start.
    expect(outcome.ok === false && outcome.notBefore).toBeGreaterThan(before);
  });

  it("holds a wrong password on a legacy digest, cheaper than the current policy", async () => {
    const { outcome, padded } = await loginWith({ password_hash: ssha512("another-Long-pass-42") }, STRONG);
    expect(outcome).toMatchObject({ ok: false, reason: "wrong_password", notBefore: expect.any(Number) });
    expect(padded).toHaveLength(1);
  });

  it("holds a wrong password on a DES crypt hash, legacy and cheaper too", async () => {
    // doveadm pw -s DES-CRYPT of another password (shared vectors).
    const { outcome, padded } = await loginWith({ password_hash: "{DES-CRYPT}yyPd/HQGbArgE" }, STRONG);
    expect(outcome).toMatchObject({ ok: false, reason: "wrong_password", notBefore: expect.any(Number) });
    expect(padded).toHaveLength(1);
  });

  it("holds a disabled account's right password on a legacy digest", async () => {
    const { outcome, padded } = await loginWith({ password_hash: ssha512(STRONG), enabled: false }, STRONG);
    expect(outcome).toMatchObject({ ok: false, reason: "disabled", notBefore: expect.any(Number) });
    expect(padded).toHaveLength(1);
  });

  it("adds nothing where a current-policy verification already ran", async () => {
    const wrong = await loginWith({}, "wrong-Horizon-71-vague");
    const unknown = await loginWith(null, STRONG);
    const disabled = await loginWith({ enabled: false }, STRONG);
    expect([wrong.outcome, unknown.outcome, disabled.outcome]).toMatchObject([
      { reason: "wrong_password" },
      { reason: "unknown_user" },
      { reason: "disabled" },
    ]);
    expect([...wrong.padded, ...unknown.padded, ...disabled.padded]).toEqual([]);
    for (const { outcome } of [wrong, unknown, disabled]) expect(outcome).not.toHaveProperty("notBefore");
  });

  it("never holds a success", async () => {
    const { outcome, padded } = await loginWith({ password_hash: ssha512(STRONG) }, STRONG);
    expect(outcome.ok).toBe(true);
    expect(padded).toEqual([]);
  });
});
