/*
 * An audit entry's change in a line, for `mailauth audit list`: only the fields that differ
 * (`enabled: true → false`), what was created or removed for an entry with one side only.
 */

type Fields = Record<string, unknown>;

const isFields = (v: unknown): v is Fields => typeof v === "object" && v !== null && !Array.isArray(v);

/** A value in a few characters: a ban or allowlist entry by its network, text without quotes. */
function brief(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return value === "" ? '""' : value;
  if (Array.isArray(value)) return `[${value.map(brief).join(", ")}]`;
  if (isFields(value) && typeof value.network === "string") return value.network;
  return JSON.stringify(value);
}

const listed = (fields: Fields) =>
  Object.entries(fields)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${brief(v)}`);

/** The change from `before` to `after`, fields that did not change left out. */
export function describeChange(before: unknown, after: unknown): string {
  const nothing = (v: unknown) => v === null || v === undefined;
  if (nothing(before) && nothing(after)) return "";
  if (isFields(before) && isFields(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const changed = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (changed.length === 0) return "(no change)";
    return changed.map((k) => `${k}: ${brief(before[k])} → ${brief(after[k])}`).join(", ");
  }
  if (nothing(before) && isFields(after)) return listed(after).join(", ");
  if (nothing(after) && isFields(before)) return `removed ${listed(before).join(", ")}`;
  return `${brief(before)} → ${brief(after)}`;
}
