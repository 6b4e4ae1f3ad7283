import { secretsEqual } from "../constant-time.js";
import { invalid, verdictOf } from "../outcome.js";
import type { Scheme } from "../scheme.js";

/** Cleartext, possibly base64/hex-encoded via the suffix. Compared without leaking its length. */
function plainScheme(name: string): Scheme {
  return {
    name,
    runs: "inline",
    encoding: "none",
    check: () => null,
    verify: (password, raw) => verdictOf(secretsEqual(Buffer.from(password, "utf8"), raw)),
  };
}

export const PLAIN = plainScheme("PLAIN");

const TRUNC = /^(\d{1,6})-/;

/**
 * {PLAIN-TRUNC}<length>-<cleartext>: a password that was truncated to `length` bytes when
 * stored. As in Dovecot, a longer password matches when its first `length` bytes do.
 */
export const PLAIN_TRUNC: Scheme = {
  name: "PLAIN-TRUNC",
  runs: "inline",
  encoding: "none",
  check: (raw) => (TRUNC.test(raw.toString("latin1")) ? null : "PLAIN-TRUNC data lacks its <length>- prefix"),
  verify(password, raw) {
    const prefix = TRUNC.exec(raw.toString("latin1"));
    if (prefix === null) return invalid("PLAIN-TRUNC data lacks its <length>- prefix");
    const [whole, digits = ""] = prefix;
    const truncatedLength = Number(digits);
    const stored = raw.subarray(whole.length);
    const given = Buffer.from(password, "utf8");
    const wasTruncated = stored.length === truncatedLength && given.length >= truncatedLength;
    return verdictOf(secretsEqual(wasTruncated ? given.subarray(0, truncatedLength) : given, stored));
  },
};
