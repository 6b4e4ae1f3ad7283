import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkHashFormat } from "../../src/passwords/index.js";
import { hashBcrypt } from "../../src/passwords/schemes/bcrypt.js";
import { verifyStored } from "../../src/passwords/verify-stored.js";

/** Every name lookupScheme knows, aliases included, and the ones it names as unsupported. */
const KNOWN = [
  "BLF-CRYPT",
  "CRYPT",
  "DES-CRYPT",
  "SHA256-CRYPT",
  "SHA512-CRYPT",
  "MD5",
  "MD5-CRYPT",
  "ARGON2I",
  "ARGON2ID",
  "PBKDF2",
  "SCRAM-SHA-1",
  "SCRAM-SHA-256",
  "SSHA",
  "SSHA256",
  "SSHA512",
  "SMD5",
  "SHA1",
  "SHA256",
  "SHA512",
  "PLAIN-MD5",
  "LDAP-MD5",
  "CRAM-MD5",
  "HMAC-MD5",
  "DIGEST-MD5",
  "PLAIN",
  "PLAIN-TRUNC",
  "SHA",
  "CLEARTEXT",
  "CLEAR",
];
const UNSUPPORTED = ["PLAIN-MD4", "NTLM", "LANMAN", "OTP", "SKEY", "RPA"];

const password = fc.string({ unit: "binary", maxLength: 40 });
const context = { user: "someone@example.org" };

/** The scheme name in a random case, as Dovecot reads it case-insensitively. */
const anyCase = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((flags) => [...name].map((ch, i) => (flags[i] ? ch.toLowerCase() : ch)).join(""));

describe("stored hash strings, generated", () => {
  it("an unknown {SCHEME} is invalid for every password, and the reason quotes neither", () => {
    const unknownName = fc
      .string({ unit: "binary", minLength: 1, maxLength: 20 })
      .filter((n) => !n.includes("}") && !n.includes("."))
      .filter((n) => ![...KNOWN, ...UNSUPPORTED].includes(n.toUpperCase()));
    fc.assert(
      fc.property(unknownName, fc.string({ unit: "binary", maxLength: 60 }), password, (name, data, pw) => {
        const stored = `{${name}}${data}`;
        const verdict = verifyStored(pw, stored, context);
        expect(verdict).toEqual({ status: "invalid", reason: "unknown password scheme" });
        expect(checkHashFormat(stored)).toEqual({ ok: false, reason: "unknown password scheme" });
      }),
      { numRuns: 500 },
    );
  });

  it("an encoding suffix other than .B64, .BASE64 or .HEX is invalid", () => {
    const suffix = fc
      .string({ unit: "grapheme-ascii", minLength: 0, maxLength: 8 })
      .filter((s) => !s.includes("}") && !["B64", "BASE64", "HEX"].includes(s.toUpperCase()));
    fc.assert(
      fc.property(
        fc.constantFrom(...KNOWN),
        suffix,
        fc.string({ maxLength: 40 }),
        password,
        (name, sfx, data, pw) => {
          expect(verifyStored(pw, `{${name}.${sfx}}${data}`, context)).toEqual({
            status: "invalid",
            reason: "unknown encoding suffix",
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("any data under any known scheme never throws and never matches a password it was not made from", () => {
    // Random data can be a real hash only for cleartext schemes, where the data is the password.
    const cleartext = new Set(["PLAIN", "CLEARTEXT", "CLEAR", "PLAIN-TRUNC"]);
    const name = fc.constantFrom(...KNOWN, ...UNSUPPORTED).chain(anyCase);
    const suffix = fc.constantFrom("", ".b64", ".HEX", ".BASE64");
    fc.assert(
      fc.property(name, suffix, fc.string({ unit: "binary", maxLength: 120 }), password, (n, s, data, pw) => {
        const verdict = verifyStored(pw, `{${n}${s}}${data}`, context);
        expect(["match", "mismatch", "invalid"]).toContain(verdict.status);
        if (verdict.status === "invalid" && data.length >= 8) expect(verdict.reason).not.toContain(data);
        if (!cleartext.has(n.toUpperCase())) expect(verdict.status).not.toBe("match");
      }),
      { numRuns: 1000 },
    );
  });

  describe("digests made here verify, and any change to them does not", () => {
    const digests = [
      { name: "SHA1", algorithm: "sha1", encoding: "base64" },
      { name: "SHA256", algorithm: "sha256", encoding: "base64" },
      { name: "SHA512", algorithm: "sha512", encoding: "base64" },
      { name: "PLAIN-MD5", algorithm: "md5", encoding: "hex" },
      { name: "LDAP-MD5", algorithm: "md5", encoding: "base64" },
    ] as const;
    const salted = [
      { name: "SSHA", algorithm: "sha1" },
      { name: "SSHA256", algorithm: "sha256" },
      { name: "SSHA512", algorithm: "sha512" },
      { name: "SMD5", algorithm: "md5" },
    ] as const;

    /** {NAME}data written with its default encoding, or an explicit suffix in either encoding. */
    const written = (name: string, raw: Buffer, defaultEncoding: "base64" | "hex", pick: number) => {
      if (pick === 0) return `{${name}}${raw.toString(defaultEncoding)}`;
      if (pick === 1) return `{${name}.HEX}${raw.toString("hex")}`;
      return `{${name}.B64}${raw.toString("base64")}`;
    };

    const made = fc.oneof(
      fc.record({ scheme: fc.constantFrom(...digests), pw: password, salt: fc.constant(Buffer.alloc(0)) }),
      fc.record({
        scheme: fc.constantFrom(...salted).map((s) => ({ ...s, encoding: "base64" as const })),
        pw: password,
        salt: fc.uint8Array({ minLength: 1, maxLength: 16 }).map((a) => Buffer.from(a)),
      }),
    );
    const rawOf = (m: { scheme: { algorithm: string }; pw: string; salt: Buffer }) =>
      Buffer.concat([createHash(m.scheme.algorithm).update(m.pw, "utf8").update(m.salt).digest(), m.salt]);

    it("matches its own password in every encoding and no other", () => {
      fc.assert(
        fc.property(made, fc.integer({ min: 0, max: 2 }), password, (m, pick, other) => {
          const stored = written(m.scheme.name, rawOf(m), m.scheme.encoding, pick);
          expect(verifyStored(m.pw, stored, context), stored).toEqual({ status: "match" });
          if (other !== m.pw) expect(verifyStored(other, stored, context).status).toBe("mismatch");
        }),
        { numRuns: 500 },
      );
    });

    it("a flipped bit, a byte more or a byte less never matches", () => {
      const change = fc.oneof(
        fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({ kind: fc.constant("grow" as const), byte: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant("shrink" as const) }),
      );
      fc.assert(
        fc.property(made, fc.integer({ min: 0, max: 2 }), change, (m, pick, c) => {
          const raw = Buffer.from(rawOf(m));
          let changed: Buffer;
          if (c.kind === "flip") {
            const at = c.at % raw.length;
            raw[at] = (raw[at] ?? 0) ^ (1 << c.bit);
            changed = raw;
          } else if (c.kind === "grow") changed = Buffer.concat([raw, Buffer.from([c.byte])]);
          else changed = raw.subarray(0, raw.length - 1);
          const verdict = verifyStored(
            m.pw,
            written(m.scheme.name, changed, m.scheme.encoding, pick),
            context,
          );
          expect(verdict.status).not.toBe("match");
          // A fixed-length digest one byte off is not a digest at all.
          if (m.salt.length === 0 && c.kind !== "flip") expect(verdict.status).toBe("invalid");
        }),
        { numRuns: 500 },
      );
    });

    it("a character outside the encoding's alphabet makes it invalid", () => {
      fc.assert(
        fc.property(
          made,
          fc.nat(),
          fc.constantFrom("!", "\0", "é", " ", "*", "\n", "-", "_"),
          (m, at, ch) => {
            const text = rawOf(m).toString(m.scheme.encoding);
            const cut = at % text.length;
            const stored = `{${m.scheme.name}}${text.slice(0, cut)}${ch}${text.slice(cut + 1)}`;
            expect(verifyStored(m.pw, stored, context).status).toBe("invalid");
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  it("a bcrypt hash with any character of its salt or digest changed never matches", () => {
    const pw = "Velvet-Harbour-Quartz-27";
    const hash = hashBcrypt(pw, 4);
    const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!$\0é";
    fc.assert(
      fc.property(fc.integer({ min: 7, max: hash.length - 1 }), fc.constantFrom(...alphabet), (at, ch) => {
        fc.pre(hash[at] !== ch);
        const changed = `${hash.slice(0, at)}${ch}${hash.slice(at + 1)}`;
        expect(verifyStored(pw, `{BLF-CRYPT}${changed}`, context).status).not.toBe("match");
      }),
      { numRuns: 60 },
    );
    expect(verifyStored(pw, `{BLF-CRYPT}${hash}`, context).status).toBe("match");
  });
});
