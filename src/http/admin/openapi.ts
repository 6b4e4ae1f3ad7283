/*
 * The admin API described by hand (OpenAPI 3.1). test/http/admin.test.ts checks that every
 * registered route is here and nothing else is, and test/http/admin-openapi.test.ts that real
 * replies of every route match their schemas.
 */

type Schema = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const str = { type: "string" };
const nullableStr = { type: ["string", "null"] };
/** Every time in a reply: ISO 8601 in UTC, e.g. 2026-11-29T07:49:07.064Z. */
const time = { type: "string", format: "date-time" };
const nullableTime = { type: ["string", "null"], format: "date-time" };
const nullableId = { type: ["integer", "null"], minimum: 1 };
const error = { description: "refused: see error_description", content: json(ref("Error")) };
const unavailable = {
  description: "temporarily_unavailable: the database failed; a change was not made, try again",
  content: json(ref("Error")),
};

/** An object whose properties are all present in every reply, and no other. */
function object(properties: Record<string, Schema>, optional: string[] = []) {
  return {
    type: "object",
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    properties,
    additionalProperties: false,
  };
}

function json(schema: Schema) {
  return { "application/json": { schema } };
}

/** An operation: `ok` answered with `status` (or several, e.g. {"200": ..., "201": ...}). */
function op(summary: string, ok: Schema, extra: Schema = {}, status: string | string[] = "200") {
  const statuses = Array.isArray(status) ? status : [status];
  return {
    summary,
    ...extra,
    responses: {
      ...Object.fromEntries(statuses.map((code) => [code, { description: "done", content: json(ok) }])),
      "400": error,
      "401": error,
      "404": error,
      "409": error,
      ...("requestBody" in extra ? { "413": error } : {}),
      "503": unavailable,
    },
  };
}

const body = (schema: Schema) => ({ requestBody: { required: true, content: json(schema) } });
const path = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: str,
});
const query = (name: string, description: string, schema: Schema = str) => ({
  name,
  in: "query",
  required: false,
  description,
  schema,
});
const email = path("email", "the account's address");
const network = path("network", "an address or CIDR network, URL-encoded (203.0.113.0%2F24)");
const paging = [
  query("limit", "entries per page (1-1000, default 100)", { type: "integer", minimum: 1, maximum: 1000 }),
  query("cursor", "next_cursor of the previous page"),
];
const list = (key: string, item: Schema, cursor = false) =>
  object({ [key]: { type: "array", items: item }, ...(cursor ? { next_cursor: nullableStr } : {}) });
const deleted = object({ deleted: str });

const fields = {
  home: nullableStr,
  mail: nullableStr,
  uid: nullableId,
  gid: nullableId,
  quota_rule: nullableStr,
};
const secret = {
  password: { type: "string", description: "a new password, judged by the password policy" },
  hash: { type: "string", description: "an existing Dovecot hash kept as is, e.g. {SHA512-CRYPT}$6$..." },
  allow_weak: { type: "boolean", description: "take a password the policy refuses; the account is flagged" },
};

/** The OpenAPI document served at /admin/v1/openapi.json. */
export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "mailauth admin API",
      version: "1",
      description:
        "Accounts, domains, bans, allowlist, login events and the audit log. Every change is recorded in the audit log as actor api:admin. No response ever contains a password or a hash.",
    },
    servers: [{ url: "/admin/v1" }],
    security: [{ bearer: [] }],
    paths: {
      "/openapi.json": {
        get: op("this document", { type: "object", required: ["openapi", "info", "paths", "components"] }),
      },
      "/users": {
        get: op("list accounts", list("users", ref("User")), {
          parameters: [
            query("domain", "only this domain's accounts"),
            query("weak", "true: only accounts flagged for a password change", { enum: ["true", "false"] }),
          ],
        }),
        post: op(
          "create an account (give password or hash)",
          ref("User"),
          body({
            type: "object",
            required: ["email"],
            properties: { email: str, ...secret, ...fields },
            additionalProperties: false,
          }),
          "201",
        ),
      },
      "/users/{email}": {
        get: op("show an account", ref("User"), { parameters: [email] }),
        delete: op("delete an account (its mail on disk is not touched)", deleted, { parameters: [email] }),
      },
      "/users/{email}/enable": {
        post: op("let an account log in again", ref("User"), { parameters: [email] }),
      },
      "/users/{email}/disable": {
        post: op("refuse an account's logins", ref("User"), { parameters: [email] }),
      },
      "/users/{email}/password": {
        post: op("reset a password (give password or hash)", ref("User"), {
          parameters: [email],
          ...body({ type: "object", properties: secret, additionalProperties: false }),
        }),
      },
      "/domains": { get: op("list domains and their defaults", list("domains", ref("Domain"))) },
      "/domains/{name}": {
        put: op(
          "add a domain (201) or replace its defaults (200)",
          ref("Domain"),
          {
            parameters: [path("name", "the domain")],
            ...body({ type: "object", properties: fields, additionalProperties: false }),
          },
          ["200", "201"],
        ),
        delete: op("remove a domain (409 while it has accounts)", deleted, {
          parameters: [path("name", "the domain")],
        }),
      },
      "/bans": {
        get: op("the bans in force", list("bans", ref("Ban")), {
          parameters: [query("all", "true: the whole kept history", { enum: ["true", "false"] })],
        }),
        post: op(
          "ban an address or network (give for or permanent)",
          ref("Ban"),
          body({
            type: "object",
            required: ["network", "reason"],
            properties: {
              network: str,
              for: { type: "string", description: "e.g. 30m, 12h, 7d" },
              permanent: { type: "boolean" },
              reason: str,
            },
            additionalProperties: false,
          }),
          "201",
        ),
      },
      "/bans/{network}": {
        delete: op("lift the live bans inside a network", list("lifted", ref("Ban")), {
          parameters: [network, query("reason", "why, kept with the ban")],
        }),
      },
      "/allowlist": {
        get: op("the allowlist, built-in entries included", list("entries", ref("Allow"))),
        post: op(
          "never ban a network; lifts its bans (listed in lifted)",
          ref("AllowAdded"),
          body({
            type: "object",
            required: ["network", "reason"],
            properties: { network: str, reason: str, for: { type: "string", description: "e.g. 7d" } },
            additionalProperties: false,
          }),
          "201",
        ),
      },
      "/allowlist/{network}": {
        delete: op("remove an allowlist entry (409 for built-in ones)", deleted, {
          parameters: [network],
        }),
      },
      "/ip/{ip}": {
        get: op("an address's reputation, verdict and why, bans and their history", ref("IpView"), {
          parameters: [path("ip", "an IPv4 or IPv6 address")],
        }),
      },
      "/events": {
        get: op("login attempts, newest first", list("events", ref("Event"), true), {
          parameters: [
            query("ip", "client address"),
            query("login", "login name"),
            query("outcome", "e.g. ok, wrong_password, unknown_user, banned"),
            query("since", "ISO 8601 time, inclusive", { type: "string", format: "date-time" }),
            query("until", "ISO 8601 time, exclusive", { type: "string", format: "date-time" }),
            ...paging,
          ],
        }),
      },
      "/audit": {
        get: op(
          "changes made through the CLI and this API, newest first",
          list("entries", ref("Audit"), true),
          {
            parameters: [
              query("action", "e.g. user.add, ban.add"),
              query("target", "e.g. an address"),
              query("actor", "e.g. api:admin, cli:root"),
              query("since", "ISO 8601 time, inclusive", { type: "string", format: "date-time" }),
              query("until", "ISO 8601 time, exclusive", { type: "string", format: "date-time" }),
              ...paging,
            ],
          },
        ),
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "MAILAUTH_ADMIN_TOKEN" } },
      schemas: {
        Error: object({ error: str, error_description: str }, ["error_description"]),
        User: object({
          email: str,
          domain: str,
          enabled: { type: "boolean" },
          must_change_password: { type: "boolean" },
          scheme: { type: "string", description: "the hash's scheme name; the hash is never shown" },
          ...fields,
          created_at: time,
          password_changed_at: time,
        }),
        Domain: object({ name: str, users: { type: "integer" }, ...fields, created_at: time }),
        Ban: object({
          network: str,
          reason: str,
          source: { enum: ["auto", "manual"] },
          level: { type: "integer" },
          created_at: time,
          expires_at: { ...nullableTime, description: "null: permanent" },
          review_at: nullableTime,
          lifted_at: nullableTime,
          lifted_reason: nullableStr,
          hits: { type: "integer" },
          first_seen: time,
          last_seen: time,
        }),
        Allow: object({ network: str, reason: str, builtin: { type: "boolean" }, expires_at: nullableTime }),
        AllowAdded: object({
          network: str,
          reason: str,
          builtin: { type: "boolean" },
          expires_at: nullableTime,
          lifted: { type: "array", items: ref("Ban"), description: "the bans inside it, lifted" },
        }),
        IpView: object({
          ip: str,
          key: { type: "string", description: "the address or network its reputation is kept under" },
          banned: { oneOf: [ref("Ban"), { type: "null" }] },
          allowed: {
            oneOf: [object({ network: str, reason: str, builtin: { type: "boolean" } }), { type: "null" }],
          },
          reputation: object({
            tracked: { type: "boolean" },
            verdict: {
              type: "object",
              required: ["action"],
              properties: { action: { enum: ["allow", "tarpit", "ban"] } },
            },
            score: { type: "number" },
            why: { type: "array", items: str },
          }),
          history: { type: "array", items: ref("Ban") },
        }),
        Event: object({
          id: { type: "integer" },
          at: time,
          ip: nullableStr,
          login: str,
          service: str,
          outcome: str,
          reason: nullableStr,
        }),
        Audit: object({
          id: { type: "integer" },
          at: time,
          actor: { type: "string", description: "cli:<unix user> or api:admin" },
          action: str,
          target: nullableStr,
          before: { description: "the changed thing's visible fields before; null for a creation" },
          after: { description: "the changed thing's visible fields after; null for a deletion" },
        }),
      },
    },
  };
}
