import { createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hmacSha256 } from "../../../src/crypto/hmac.js";

const reference = (key: Uint8Array, message: string, encoding: "hex" | "base64url") =>
  createHmac("sha256", key).update(message).digest(encoding);

describe("hmacSha256", () => {
  it("matches RFC 4231 test case 2", () => {
    const hmac = hmacSha256(Buffer.from("Jefe"));
    expect(hmac("what do ya want for nothing?", "hex")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("computes what createHmac computes, for any key length and any Unicode message", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.string({ unit: "binary", maxLength: 300 }),
        (key, message) => {
          const hmac = hmacSha256(key);
          expect(hmac(message, "hex")).toBe(reference(key, message, "hex"));
          expect(hmac(message, "base64url")).toBe(reference(key, message, "base64url"));
        },
      ),
    );
  });

  it("gives the same digest on reuse, after a longer message, and for messages past its scratch buffer", () => {
    const key = randomBytes(32);
    const hmac = hmacSha256(key);
    const short = "jean.dupont@exemple.fr\0soleil";
    const first = hmac(short, "hex");
    hmac(`${"é".repeat(1300)}`, "hex");
    expect(hmac(short, "hex")).toBe(first);
    for (const long of ["x".repeat(1365), "x".repeat(1366), "€".repeat(5000), "a".repeat(10_000)])
      expect(hmac(long, "hex")).toBe(reference(key, long, "hex"));
  });
});
