import { invalid, type Verdict } from "./outcome.js";
import type { VerifyContext } from "./scheme.js";
import { parseStoredHash, type StoredHash } from "./stored-hash.js";

/** Verifies a password against a parsed hash; library failures become `invalid`, never throws. */
export function verifyParsed(password: string, parsed: StoredHash, context: VerifyContext): Verdict {
  try {
    return parsed.scheme.verify(password, parsed.raw, context);
  } catch {
    return invalid(`${parsed.scheme.name} verification failed`);
  }
}

/** Parses and verifies in one synchronous call: what a pool worker runs. */
export function verifyStored(password: string, stored: string, context: VerifyContext): Verdict {
  const parsed = parseStoredHash(stored);
  return parsed.ok ? verifyParsed(password, parsed, context) : invalid(parsed.reason);
}
