import { afterAll, describe, expect, it } from "vitest";
import { createPasswordHasher } from "../../../src/passwords/index.js";
import { loadDoveadmVectors } from "./vectors.js";

const { passwords, vectors } = loadDoveadmVectors();
const hasher = createPasswordHasher({ bcryptCost: 10, workers: 1, queueMax: 8 });
afterAll(() => hasher.close());

const hashOf = (scheme: string, rounds: number | null = null) =>
  vectors.find((v) => v.scheme === scheme && v.rounds === rounds && v.password === "ascii")?.hash ?? "";
const bcrypt10 = hashOf("BLF-CRYPT", 10);

describe("needsRehash()", () => {
  it("keeps bcrypt at the configured cost, whatever its $2?$ variant or scheme name", () => {
    expect(hasher.needsRehash(bcrypt10)).toBe(false);
    expect(hasher.needsRehash(bcrypt10.replace("$2y$", "$2b$"))).toBe(false);
    expect(hasher.needsRehash(bcrypt10.replace("{BLF-CRYPT}", "{crypt}"))).toBe(false);
    expect(hasher.needsRehash(bcrypt10.replace("{BLF-CRYPT}", ""))).toBe(false);
  });

  it("upgrades bcrypt below the configured cost, such as doveadm's default of 5", () => {
    expect(hasher.needsRehash(hashOf("BLF-CRYPT"))).toBe(true);
  });

  it("brings bcrypt above the configured cost down to it", () => {
    expect(hasher.needsRehash(hashOf("BLF-CRYPT", 12))).toBe(true);
  });

  it("replaces every other scheme, even strong ones", () => {
    for (const scheme of ["SHA512-CRYPT", "ARGON2ID", "PBKDF2", "SSHA512", "PLAIN", "MD5", "DES-CRYPT"]) {
      expect(hasher.needsRehash(hashOf(scheme)), scheme).toBe(true);
    }
  });

  it("replaces DES under {CRYPT} or bare, which the bcrypt check must not take for bcrypt", () => {
    expect(hasher.needsRehash("{CRYPT}yyPd/HQGbArgE")).toBe(true);
    expect(hasher.needsRehash("yyPd/HQGbArgE")).toBe(true);
  });

  it("replaces hashes it cannot read", () => {
    expect(hasher.needsRehash("{CRYPT}$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC")).toBe(
      true,
    );
    expect(hasher.needsRehash("not a hash")).toBe(true);
  });

  it("is reported with every match", async () => {
    expect(await hasher.verify(passwords.ascii, bcrypt10)).toEqual({ status: "match", needsRehash: false });
    for (const scheme of ["SSHA512", "DES-CRYPT"]) {
      expect(await hasher.verify(passwords.ascii, hashOf(scheme)), scheme).toEqual({
        status: "match",
        needsRehash: true,
      });
    }
  });
});
