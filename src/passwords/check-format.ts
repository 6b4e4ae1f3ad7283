import { parseStoredHash } from "./stored-hash.js";

/** Cheap syntax check for imports and `user add --hash`: known scheme and well-formed data, no verification. */
export function checkHashFormat(
  stored: string,
): { ok: true; scheme: string } | { ok: false; reason: string } {
  const parsed = parseStoredHash(stored);
  if (!parsed.ok) return parsed;
  const problem = parsed.scheme.check(parsed.raw);
  return problem === null ? { ok: true, scheme: parsed.scheme.name } : { ok: false, reason: problem };
}
