import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openApiDocument } from "../../src/http/admin/openapi.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { startTestService, TEST_CLIENT_SECRET, type TestService } from "../helpers/service.js";

const ADMIN_TOKEN = "admin-token-0123456789abcdef";
const STRONG = "Tr0ub4dor&3-horse-staple";

type Doc = ReturnType<typeof openApiDocument>;
type Operation = { responses: Record<string, { content: { "application/json": { schema: object } } }> };

/**
 * The document's reply schemas as validators (JSON Schema 2020-12, which OpenAPI 3.1 uses).
 * Strict: a keyword the validator does not know fails the compile rather than going unchecked.
 * date-time is held to the one form the API writes, Date.toISOString()'s: the JSON Schema format
 * would also take PostgreSQL's "2026-11-29 07:49:07.064+00".
 */
function replyValidators(doc: Doc): (schema: object) => ValidateFunction {
  // strictRequired off: "this document" is only required to have its four top-level members.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/);
  // The document's references point into it (#/components/schemas/X): into $defs of one schema here.
  const local = (schema: object) =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"admin#/$defs/')) as object;
  ajv.addSchema({ $id: "admin", $defs: local(doc.components.schemas) });
  const compiled = new Map<object, ValidateFunction>();
  return (schema) => {
    const known = compiled.get(schema);
    if (known) return known;
    const validate = ajv.compile(local(schema));
    compiled.set(schema, validate);
    return validate;
  };
}

/** The documented operation a request reaches: its path template matched segment by segment. */
function operationOf(doc: Doc, method: string, url: string): { template: string; operation: Operation } {
  const segments = new URL(url, "http://x").pathname.split("/").slice(1);
  for (const [template, operations] of Object.entries(doc.paths)) {
    const parts = template.split("/").slice(1);
    if (parts.length !== segments.length) continue;
    if (!parts.every((p, i) => p.startsWith("{") || p === segments[i])) continue;
    const operation = (operations as Record<string, Operation>)[method.toLowerCase()];
    if (operation) return { template, operation };
  }
  throw new Error(`${method} ${url} is not in the OpenAPI document`);
}

describeEachDatabase("admin API replies against its OpenAPI document", (kind) => {
  let service: TestService;
  const doc = openApiDocument();
  const validator = replyValidators(doc);
  /** Every documented (operation, status) a reply was checked against. */
  const seen = new Set<string>();

  /** Calls the API and checks the reply's status and body against the document. */
  const call = async (method: string, path: string, body?: unknown, token = ADMIN_TOKEN) => {
    const response = await fetch(`${service.url}/admin/v1${path}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, any>;
    const { template, operation } = operationOf(doc, method, path);
    const documented = operation.responses[String(response.status)];
    expect(documented, `${method} ${path} answered ${response.status}, not documented`).toBeDefined();
    const validate = validator(documented?.content["application/json"].schema as object);
    const problems = validate(json)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    expect(problems, `${method} ${path} ${response.status}`).toEqual([]);
    seen.add(`${method.toLowerCase()} ${template} ${response.status}`);
    return { status: response.status, body: json };
  };

  beforeAll(async () => {
    service = await startTestService({ kind, env: { MAILAUTH_ADMIN_TOKEN: ADMIN_TOKEN } });
  });
  afterAll(async () => {
    await service?.close();
  });

  it("answers every route as documented, successes and refusals alike", async () => {
    expect((await call("GET", "/openapi.json")).status).toBe(200);
    expect((await call("PUT", "/domains/example.org", { uid: 5000, gid: 5000 })).status).toBe(201);
    expect((await call("PUT", "/domains/example.org", { uid: 5001, gid: 5000 })).status).toBe(200);
    expect((await call("PUT", "/domains/empty.example", {})).status).toBe(201);
    expect((await call("GET", "/domains")).body.domains).toHaveLength(2);
    expect((await call("DELETE", "/domains/empty.example")).status).toBe(200);

    expect((await call("POST", "/users", { email: "alice@example.org", password: STRONG })).status).toBe(201);
    expect((await call("GET", "/users")).body.users).toHaveLength(1);
    expect((await call("GET", "/users/alice%40example.org")).status).toBe(200);
    expect((await call("POST", "/users/alice%40example.org/disable")).body.enabled).toBe(false);
    expect((await call("POST", "/users/alice%40example.org/enable")).body.enabled).toBe(true);
    const reset = { password: "An0ther-Strong-Passphrase!" };
    expect((await call("POST", "/users/alice%40example.org/password", reset)).status).toBe(200);
    expect((await call("POST", "/users", { email: "bob@example.org", password: STRONG })).status).toBe(201);
    expect((await call("DELETE", "/users/bob%40example.org")).status).toBe(200);

    expect((await call("POST", "/bans", { network: "203.0.113.0/24", for: "1d", reason: "t" })).status).toBe(
      201,
    );
    expect(
      (await call("POST", "/bans", { network: "2001:db8::/64", permanent: true, reason: "t" })).status,
    ).toBe(201);
    expect((await call("GET", "/bans")).body.bans).toHaveLength(2);
    expect((await call("GET", "/bans?all=true")).status).toBe(200);
    expect((await call("GET", "/ip/203.0.113.9")).body.banned.network).toBe("203.0.113.0/24");
    expect((await call("GET", "/ip/127.0.0.1")).body.allowed.builtin).toBe(true);
    expect((await call("DELETE", "/bans/203.0.113.0%2F24?reason=over")).body.lifted).toHaveLength(1);
    const allowed = await call("POST", "/allowlist", {
      network: "2001:db8::/48",
      reason: "office",
      for: "7d",
    });
    expect(allowed.body.lifted).toHaveLength(1);
    expect((await call("GET", "/allowlist")).status).toBe(200);
    expect((await call("DELETE", `/allowlist/${encodeURIComponent("2001:db8::/48")}`)).status).toBe(200);

    const token = await fetch(`${service.url}/dovecot/token`, {
      method: "POST",
      headers: { "x-dovecot-auth-remote": "198.51.100.4:0" },
      body: new URLSearchParams({
        grant_type: "password",
        client_id: "dovecot",
        client_secret: TEST_CLIENT_SECRET,
        username: "alice@example.org",
        password: reset.password,
      }),
    });
    expect(token.status).toBe(200);
    await token.arrayBuffer();
    await service.server.deps.events.flush();
    expect((await call("GET", "/events?limit=1")).body.events).toHaveLength(1);
    const audit = await call("GET", "/audit?limit=2&actor=api:admin&since=2000-01-01T00:00:00Z");
    expect(audit.body.entries).toHaveLength(2);
    expect((await call("GET", `/audit?cursor=${audit.body.next_cursor}`)).status).toBe(200);

    expect((await call("POST", "/users", { email: "nobody" })).status).toBe(400);
    expect((await call("GET", "/users/nobody%40example.org")).status).toBe(404);
    expect((await call("POST", "/users", { email: "alice@example.org", password: STRONG })).status).toBe(409);
    expect((await call("POST", "/users", `{"email":"${"x".repeat(70_000)}"}`)).status).toBe(413);
    expect((await call("GET", "/users", undefined, "wrong-token-0123456789abcdef")).status).toBe(401);
    await service.server.deps.db.exec(
      "ALTER TABLE audit_log ADD CONSTRAINT audit_refused CHECK (false) NOT VALID",
    );
    try {
      expect((await call("PUT", "/domains/refused.example", {})).status).toBe(503);
    } finally {
      await service.server.deps.db.exec("ALTER TABLE audit_log DROP CONSTRAINT audit_refused");
    }

    // Every documented success was answered and checked.
    const successes = Object.entries(doc.paths).flatMap(([template, operations]) =>
      Object.entries(operations as Record<string, Operation>).flatMap(([method, operation]) =>
        Object.keys(operation.responses)
          .filter((status) => status.startsWith("2"))
          .map((status) => `${method} ${template} ${status}`),
      ),
    );
    expect(successes.filter((s) => !seen.has(s))).toEqual([]);
  });
});
