import { pbkdf2Sync } from "node:crypto";
import { bytesEqual } from "../constant-time.js";
import { invalid, verdictOf } from "../outcome.js";
import type { Scheme } from "../scheme.js";

// Dovecot's own format: $1$<salt>$<rounds>$<40 hex>, HMAC-SHA1, 20-byte key. The salt is used
// as the literal text between the dollars, not decoded.
const PBKDF2 = /^\$1\$([^$]*)\$(\d{1,10})\$([0-9a-fA-F]{40})$/;
// A corrupt row must not pin a worker for minutes: Dovecot writes 5000.
const MAX_ROUNDS = 10_000_000;

function parse(raw: Buffer): { salt: string; rounds: number; key: Buffer } | string {
  const match = PBKDF2.exec(raw.toString("latin1"));
  if (match === null) return "malformed PBKDF2 data";
  const [, salt = "", rounds = "", key = ""] = match;
  if (Number(rounds) < 1 || Number(rounds) > MAX_ROUNDS) return "PBKDF2 rounds out of range 1-10,000,000";
  return { salt, rounds: Number(rounds), key: Buffer.from(key, "hex") };
}

/** {PBKDF2}: pooled, since thousands of HMAC rounds take about a millisecond. */
export const PBKDF2_SCHEME: Scheme = {
  name: "PBKDF2",
  runs: "pool",
  encoding: "none",
  check: (raw) => {
    const parsed = parse(raw);
    return typeof parsed === "string" ? parsed : null;
  },
  verify(password, raw) {
    const parsed = parse(raw);
    if (typeof parsed === "string") return invalid(parsed);
    const key = pbkdf2Sync(
      Buffer.from(password, "utf8"),
      Buffer.from(parsed.salt, "latin1"),
      parsed.rounds,
      20,
      "sha1",
    );
    return verdictOf(bytesEqual(key, parsed.key));
  },
};
