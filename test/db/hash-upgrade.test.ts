import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, afterEach, expect, it } from "vitest";
import { addUser, resetPassword } from "../../src/accounts/accounts.js";
import { findLogin, type UserdbDefaults } from "../../src/accounts/queries.js";
import { checkPassword, type LoginDeps } from "../../src/auth/login.js";
import type { Db } from "../../src/db/database.js";
import { createLogger } from "../../src/log.js";
import { createPasswordHasher } from "../../src/passwords/index.js";
import { createStrengthJudge, DEFAULT_STRENGTH_SETTINGS } from "../../src/strength/index.js";
import { describeEachDatabase, freshDatabase, type TestDatabase } from "../helpers/databases.js";
import { keepOutput, rememberSecret } from "../helpers/log-audit.js";

const EMAIL = "legacy@example.org";
const OLD = "Legacy-Orchid-Harbour-58";
const NEW = "Fresh-Walrus-Lantern-93";
const DEFAULTS: UserdbDefaults = { home: "/var/vmail/%d/%n", mail: "", uid: 5000, gid: 5000, quotaRule: "" };
rememberSecret(OLD, NEW);

const hasher = createPasswordHasher({ bcryptCost: 4, workers: 1, queueMax: 8 });
const strength = createStrengthJudge(DEFAULT_STRENGTH_SETTINGS);
afterAll(() => hasher.close());

const ssha512 = (password: string) => {
  const salt = Buffer.from("s4lt");
  const digest = createHash("sha512").update(password).update(salt).digest();
  return `{SSHA512}${Buffer.concat([digest, salt]).toString("base64")}`;
};

/**
 * Login deps on a real database whose background work waits until the test runs it: the upgrade
 * a successful login starts can then be made to run after a reset, deterministically.
 */
function loginOn(db: Db) {
  const upgrades: (() => Promise<unknown>)[] = [];
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      keepOutput(String(chunk));
      done();
    },
  });
  const deps: LoginDeps = {
    db,
    hasher,
    log: createLogger({ logLevel: "info", logFormat: "json" }, sink),
    background: {
      run: (_what, task) => upgrades.push(task),
      drain: async () => undefined,
      pending: () => upgrades.length,
    },
    logins: { find: (email: string) => findLogin(db, email, DEFAULTS) } as unknown as LoginDeps["logins"],
    strength,
    weak: { afterRefusal: () => undefined } as unknown as LoginDeps["weak"],
    config: { upgradeHashes: true },
  };
  return { deps, upgrades, logs };
}

const storedHash = async (db: Db) => {
  const [row] = await db.query<{ password_hash: string }>(
    "SELECT password_hash FROM users WHERE email = $1",
    [EMAIL],
  );
  return row?.password_hash ?? "";
};

describeEachDatabase("a hash upgrade after a successful login", (kind) => {
  let database: TestDatabase;
  afterEach(() => database.drop());

  it("loses to a password reset that lands between the verification and the upgrade", async () => {
    database = await freshDatabase(kind);
    const { db } = database;
    expect((await addUser({ db, hasher, strength }, EMAIL, { hash: ssha512(OLD) })).ok).toBe(true);
    const { deps, upgrades, logs } = loginOn(db);

    expect((await checkPassword(deps, EMAIL, OLD)).ok).toBe(true);
    expect(upgrades).toHaveLength(1);
    expect((await resetPassword({ db, hasher, strength }, EMAIL, { password: NEW })).ok).toBe(true);
    const afterReset = await storedHash(db);
    await upgrades[0]?.();

    expect(await storedHash(db)).toBe(afterReset);
    expect((await hasher.verify(NEW, afterReset)).status).toBe("match");
    expect(await hasher.verify(OLD, afterReset)).toEqual({ status: "mismatch" });
    expect(logs.join("")).not.toContain("password hash upgraded");
  });

  it("replaces the legacy hash with bcrypt when nothing changed it meanwhile", async () => {
    database = await freshDatabase(kind);
    const { db } = database;
    const legacy = ssha512(OLD);
    expect((await addUser({ db, hasher, strength }, EMAIL, { hash: legacy })).ok).toBe(true);
    const { deps, upgrades, logs } = loginOn(db);

    expect((await checkPassword(deps, EMAIL, OLD)).ok).toBe(true);
    expect(await storedHash(db)).toBe(legacy);
    await upgrades[0]?.();

    const upgraded = await storedHash(db);
    expect(upgraded).toMatch(/^\{BLF-CRYPT\}\$2y\$04\$/);
    expect(await hasher.verify(OLD, upgraded)).toEqual({ status: "match", needsRehash: false });
    const line = logs.find((l) => l.includes("password hash upgraded"));
    expect(line).toContain('"account":"legacy@example.org"');
  });
});
