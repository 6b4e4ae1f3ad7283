import { createHash } from "node:crypto";
import { bytesEqual } from "../constant-time.js";
import { invalid, verdictOf } from "../outcome.js";
import type { Scheme } from "../scheme.js";

/**
 * {DIGEST-MD5} is MD5("user:realm:password") with the login split at its last "@", so it can
 * only be verified when the caller passes the user name.
 */
export const DIGEST_MD5: Scheme = {
  name: "DIGEST-MD5",
  runs: "inline",
  encoding: "hex",
  rawLength: 16,
  check: () => null,
  verify(password, raw, context) {
    if (context.user === undefined) return invalid("DIGEST-MD5 needs the user name to verify");
    const at = context.user.lastIndexOf("@");
    const [user, realm] =
      at < 0 ? [context.user, ""] : [context.user.slice(0, at), context.user.slice(at + 1)];
    const digest = createHash("md5").update(`${user}:${realm}:${password}`, "utf8").digest();
    return verdictOf(bytesEqual(digest, raw));
  },
};
