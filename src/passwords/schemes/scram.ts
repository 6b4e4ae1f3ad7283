import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { bytesEqual } from "../constant-time.js";
import { decodeBase64 } from "../encoding.js";
import { invalid, verdictOf } from "../outcome.js";
import type { Scheme } from "../scheme.js";

// Dovecot's limits: RFC 5802 asks for at least 4096; the upper cap keeps corrupt rows cheap.
const MIN_ITERATIONS = 4096;
const MAX_ITERATIONS = 10_000_000;

interface ScramEntry {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
}

/** iter,salt,StoredKey,ServerKey (base64 each), as `doveadm pw -s SCRAM-SHA-*` writes. */
function parse(name: string, raw: Buffer, keyLength: number): ScramEntry | string {
  const fields = raw.toString("latin1").split(",");
  if (fields.length !== 4) return `malformed ${name} data`;
  const [iterationText = "", saltText = "", storedText = "", serverText = ""] = fields;
  const iterations = /^\d{1,10}$/.test(iterationText) ? Number(iterationText) : Number.NaN;
  if (!(iterations >= MIN_ITERATIONS && iterations <= MAX_ITERATIONS)) {
    return `${name} iteration count out of range`;
  }
  const salt = decodeBase64(saltText);
  const storedKey = decodeBase64(storedText);
  const serverKey = decodeBase64(serverText);
  if (salt === null || storedKey?.length !== keyLength || serverKey?.length !== keyLength) {
    return `malformed ${name} data`;
  }
  return { iterations, salt, storedKey };
}

/**
 * Verifies as Dovecot does: SaltedPassword = PBKDF2(password), StoredKey = H(HMAC(SaltedPassword,
 * "Client Key")). Pooled because of the thousands of PBKDF2 iterations.
 */
function scramScheme(name: string, algorithm: "sha1" | "sha256", keyLength: number): Scheme {
  return {
    name,
    runs: "pool",
    encoding: "none",
    check: (raw) => {
      const parsed = parse(name, raw, keyLength);
      return typeof parsed === "string" ? parsed : null;
    },
    verify(password, raw) {
      const parsed = parse(name, raw, keyLength);
      if (typeof parsed === "string") return invalid(parsed);
      const salted = pbkdf2Sync(
        Buffer.from(password, "utf8"),
        parsed.salt,
        parsed.iterations,
        keyLength,
        algorithm,
      );
      const clientKey = createHmac(algorithm, salted).update("Client Key").digest();
      return verdictOf(bytesEqual(createHash(algorithm).update(clientKey).digest(), parsed.storedKey));
    },
  };
}

export const SCRAM_SHA_1 = scramScheme("SCRAM-SHA-1", "sha1", 20);
export const SCRAM_SHA_256 = scramScheme("SCRAM-SHA-256", "sha256", 32);
