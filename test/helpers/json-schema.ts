/**
 * Checks a value against the subset of JSON Schema the admin API's OpenAPI document uses, and
 * refuses any keyword outside it, so the document cannot say something this does not check.
 * Returns the problems found, each with the path where it was found; none when it matches.
 */
export function schemaProblems(
  value: unknown,
  schema: Record<string, unknown>,
  root: Record<string, unknown>,
  at = "$",
): string[] {
  const known = new Set([
    "$ref",
    "type",
    "enum",
    "format",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "oneOf",
    "minimum",
    "maximum",
    "description",
  ]);
  const unknown = Object.keys(schema).filter((k) => !known.has(k));
  if (unknown.length > 0)
    return [`${at}: the schema uses ${unknown.join(", ")}, which this check cannot check`];
  if (typeof schema.$ref === "string") {
    const target = schema.$ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
    if (!target) return [`${at}: ${schema.$ref} is not in the document`];
    return schemaProblems(value, target as Record<string, unknown>, root, at);
  }
  if (Array.isArray(schema.oneOf)) {
    const matching = schema.oneOf.filter(
      (s) => schemaProblems(value, s as Record<string, unknown>, root, at).length === 0,
    );
    return matching.length === 1 ? [] : [`${at}: matches ${matching.length} of oneOf, not 1`];
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, t as string)))
      return [`${at}: ${JSON.stringify(value)?.slice(0, 80)} is not ${types.join(" or ")}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    return [`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(", ")}`];
  const problems: string[] = [];
  if (schema.format === "date-time" && typeof value === "string" && !ISO_UTC.test(value))
    problems.push(`${at}: ${value} is not an ISO 8601 UTC time`);
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) problems.push(`${at}: below minimum`);
    if (typeof schema.maximum === "number" && value > schema.maximum) problems.push(`${at}: above maximum`);
  }
  if (Array.isArray(value) && schema.items)
    value.forEach((item, i) => {
      problems.push(...schemaProblems(item, schema.items as Record<string, unknown>, root, `${at}[${i}]`));
    });
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const key of (schema.required ?? []) as string[])
      if (!(key in object)) problems.push(`${at}: ${key} is missing`);
    for (const [key, item] of Object.entries(object)) {
      const property = properties[key];
      if (property) problems.push(...schemaProblems(item, property, root, `${at}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${at}: ${key} is not documented`);
    }
  }
  return problems;
}

// What Date.toISOString() writes: the one form the API uses for every time.
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/;

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}
