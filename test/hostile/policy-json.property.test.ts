import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePolicyRequest } from "../../src/http/dovecot-policy.js";
import { normalizeIp } from "../../src/net/remote-address.js";

const command = fc.constantFrom("allow" as const, "report" as const);
const TEXT_FIELDS = ["login", "remote", "protocol", "pwhash"] as const;
/** Any JSON value but a string: what a broken or hostile client sends where a string belongs. */
const notString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
);

const validRequest = fc.record({
  login: fc.string({ unit: "binary", maxLength: 512 }),
  remote: fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant(""), fc.string({ maxLength: 20 })),
  protocol: fc.constantFrom("imap", "pop3", "smtp", "submission", ""),
  pwhash: fc.string({ unit: "binary", maxLength: 100 }),
  success: fc.boolean(),
  policy_reject: fc.option(fc.boolean(), { nil: undefined }),
});

describe("parsePolicyRequest on generated bodies", () => {
  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 200 }),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        command,
        (body, cmd) => {
          const result = parsePolicyRequest(body, cmd);
          if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("refuses any JSON value that is not an object", () => {
    const notObject = fc.jsonValue().filter((v) => typeof v !== "object" || v === null || Array.isArray(v));
    fc.assert(
      fc.property(notObject, command, (value, cmd) => {
        expect(parsePolicyRequest(JSON.stringify(value), cmd)).toEqual({
          ok: false,
          reason: "body is not a JSON object",
        });
      }),
      { numRuns: 500 },
    );
  });

  it("refuses a field of the wrong type with a reason naming the fields", () => {
    fc.assert(
      fc.property(
        validRequest,
        fc.constantFrom(...TEXT_FIELDS),
        notString,
        command,
        (request, field, bad, cmd) => {
          const result = parsePolicyRequest(JSON.stringify({ ...request, [field]: bad }), cmd);
          expect(result).toEqual({ ok: false, reason: "login, remote, protocol and pwhash must be strings" });
        },
      ),
      { numRuns: 500 },
    );
  });

  it("refuses a report whose success is not a boolean, but lets allow go without one", () => {
    const notBoolean = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined));
    fc.assert(
      fc.property(validRequest, notBoolean, (request, success) => {
        const body = JSON.stringify({ ...request, success });
        expect(parsePolicyRequest(body, "report")).toEqual({
          ok: false,
          reason: "report needs a boolean success",
        });
        expect(parsePolicyRequest(body, "allow").ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a well-formed request: login lowercased, remote canonical or null, pwhash cut to 64", () => {
    fc.assert(
      fc.property(validRequest, command, (request, cmd) => {
        const result = parsePolicyRequest(JSON.stringify(request), cmd);
        expect(result).toEqual({
          ok: true,
          request: {
            login: request.login.toLowerCase(),
            remote: request.remote === "" ? null : normalizeIp(request.remote),
            protocol: request.protocol,
            pwhash: request.pwhash.slice(0, 64),
            success: request.success,
            policyReject: request.policy_reject === true,
          },
        });
      }),
      { numRuns: 500 },
    );
  });

  it("refuses a login over 512 characters", () => {
    fc.assert(
      fc.property(
        validRequest,
        fc.string({ minLength: 513, maxLength: 700 }),
        command,
        (request, login, cmd) => {
          expect(parsePolicyRequest(JSON.stringify({ ...request, login }), cmd)).toEqual({
            ok: false,
            reason: "login is longer than 512 characters",
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it("is not fooled by __proto__ or constructor keys", () => {
    for (const body of [
      '{"__proto__":{"login":5},"login":"a"}',
      '{"constructor":{"prototype":{"success":true}},"login":"a"}',
      '{"__proto__":{"success":true}}',
    ]) {
      const result = parsePolicyRequest(body, "report");
      expect(result.ok, body).toBe(false);
      expect(({} as Record<string, unknown>).success).toBeUndefined();
    }
  });
});
