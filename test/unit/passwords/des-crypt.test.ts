import { afterAll, describe, expect, it } from "vitest";
import { checkHashFormat, createPasswordHasher } from "../../../src/passwords/index.js";
import { loadDoveadmVectors } from "./vectors.js";

const { passwords, vectors } = loadDoveadmVectors();
const hasher = createPasswordHasher({ bcryptCost: 4, workers: 1, queueMax: 8 });
afterAll(() => hasher.close());

const des = vectors.find((v) => v.scheme === "DES-CRYPT")?.hash ?? "";
const bare = des.slice(des.indexOf("}") + 1);
// doveadm pw -s DES-CRYPT -p 'Pässwörd€ été' (see fixtures/doveadm-extra.json).
const utf8Des = "{DES-CRYPT}4m7Ck8RayXMGE";

describe("traditional DES crypt", () => {
  it("is one of the shared vectors, a 13-character hash of the ASCII password", () => {
    expect(bare).toMatch(/^[./0-9A-Za-z]{13}$/);
    expect(passwords.ascii.length).toBeGreaterThan(8);
  });

  it.each([
    ["{DES-CRYPT}", des],
    ["{CRYPT}", `{CRYPT}${bare}`],
    ["no prefix, as a passwd-file holds it", bare],
  ])("verifies under %s, rejects a wrong password, and asks for an upgrade", async (_, stored) => {
    expect(await hasher.verify(passwords.ascii, stored)).toEqual({ status: "match", needsRehash: true });
    expect(await hasher.verify(`x${passwords.ascii}`, stored)).toEqual({ status: "mismatch" });
    expect(checkHashFormat(stored).ok).toBe(true);
  });

  it("reads only the first 8 bytes of the password, as glibc's crypt() does", async () => {
    // "Secret123!" was hashed: "Secret12" and anything after it match too (doveadm pw -t agrees).
    for (const password of ["Secret12", "Secret12-anything-else", passwords.ascii]) {
      expect((await hasher.verify(password, des)).status, password).toBe("match");
    }
    expect(await hasher.verify("Secret1", des)).toEqual({ status: "mismatch" });
    expect(await hasher.verify("Secret13", des)).toEqual({ status: "mismatch" });
  });

  it("counts those 8 as UTF-8 bytes, not characters", async () => {
    // "Pässwörd€ été": P ä(2) s s w ö(2) are its first 8 bytes, though only 6 characters.
    expect((await hasher.verify("Pässwö", utf8Des)).status).toBe("match");
    expect((await hasher.verify("Pässwörd€ été", utf8Des)).status).toBe("match");
    expect(await hasher.verify("Pässw", utf8Des)).toEqual({ status: "mismatch" });
    expect(await hasher.verify("Passwörd€ été", utf8Des)).toEqual({ status: "mismatch" });
  });

  it("reads only the low 7 bits of each byte, as glibc does", async () => {
    // glibc's crypt("C)ssword", "ab"); doveadm pw -t verifies "éssword" against it: é is C3 A9, C) is 43 29.
    const stored = "{DES-CRYPT}ab2sgHT6SQae6";
    expect((await hasher.verify("C)ssword", stored)).status).toBe("match");
    expect((await hasher.verify("éssword", stored)).status).toBe("match");
    expect(await hasher.verify("essword", stored)).toEqual({ status: "mismatch" });
  });

  it("takes a bare string for DES only when it has a DES hash's form", () => {
    expect(checkHashFormat(bare.slice(0, 12))).toEqual({ ok: false, reason: "no {SCHEME} prefix" });
    expect(checkHashFormat(`${bare}x`)).toEqual({ ok: false, reason: "no {SCHEME} prefix" });
    expect(checkHashFormat(`${bare.slice(0, 12)}F`)).toEqual({
      ok: false,
      reason: "malformed DES crypt hash",
    });
  });
});
