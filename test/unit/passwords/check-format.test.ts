import { describe, expect, it } from "vitest";
import { checkHashFormat } from "../../../src/passwords/index.js";
import { loadDoveadmVectors, loadExtraVectors } from "./vectors.js";

const { vectors } = loadDoveadmVectors();
const extra = loadExtraVectors();

describe("checkHashFormat()", () => {
  it("accepts every doveadm vector, and names its scheme without the suffix", () => {
    for (const vector of vectors) {
      expect(checkHashFormat(vector.hash), vector.hash).toEqual({
        ok: true,
        scheme: vector.scheme.split(".")[0],
      });
    }
  });

  it("accepts the extra doveadm-checked forms", () => {
    for (const vector of extra.vectors) expect(checkHashFormat(vector.hash).ok, vector.note).toBe(true);
  });

  it("resolves aliases and case to Dovecot's canonical names", () => {
    expect(checkHashFormat("{sha}r22vXxpgyR9zNh3Udsl+SWvtoGU=")).toEqual({ ok: true, scheme: "SHA1" });
    expect(checkHashFormat("{Cleartext}x")).toEqual({ ok: true, scheme: "PLAIN" });
  });

  it("reads unprefixed bcrypt, SHA-crypt, MD5-crypt and DES as {CRYPT}, and argon2 as {ARGON2ID}", () => {
    for (const scheme of ["BLF-CRYPT", "SHA512-CRYPT", "SHA256-CRYPT", "MD5-CRYPT", "DES-CRYPT"]) {
      const hash = vectors.find((v) => v.scheme === scheme)?.hash ?? "";
      expect(checkHashFormat(hash.slice(hash.indexOf("}") + 1))).toEqual({ ok: true, scheme: "CRYPT" });
    }
    const argon2 = vectors.find((v) => v.scheme === "ARGON2I")?.hash ?? "";
    expect(checkHashFormat(argon2.slice(argon2.indexOf("}") + 1))).toEqual({ ok: true, scheme: "ARGON2ID" });
  });
});
