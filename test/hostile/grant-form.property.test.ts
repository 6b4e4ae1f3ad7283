import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_PASSWORD_BYTES, MAX_USERNAME_LENGTH, parseGrantForm } from "../../src/http/grant-form.js";

const FIELDS = ["grant_type", "username", "password", "client_id", "client_secret"] as const;

/** Any Unicode text (no lone surrogates: a percent-decoded form cannot produce them). */
const text = (constraints: { minLength?: number; maxLength?: number } = {}) =>
  fc.string({ unit: "binary", ...constraints });
const noNul = (s: string) => !s.includes("\0");

const validGrant = fc.record({
  username: text({ minLength: 1, maxLength: MAX_USERNAME_LENGTH }).filter(noNul),
  password: text({ maxLength: 300 }).filter((p) => noNul(p) && Buffer.byteLength(p) <= MAX_PASSWORD_BYTES),
  clientId: text({ maxLength: 80 }),
  clientSecret: text({ maxLength: 80 }),
});
/** Fields Dovecot may add (scope, and anything a later version sends) that mailauth ignores. */
const extraField = fc.tuple(
  text({ maxLength: 12 }).filter((name) => !(FIELDS as readonly string[]).includes(name)),
  text({ maxLength: 20 }),
);

type Grant = { username: string; password: string; clientId: string; clientSecret: string };
const pairsOf = (g: Grant): [string, string][] => [
  ["grant_type", "password"],
  ["username", g.username],
  ["password", g.password],
  ["client_id", g.clientId],
  ["client_secret", g.clientSecret],
];

describe("parseGrantForm on generated forms", () => {
  it("never throws, whatever the body", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary-ascii" }), text({ maxLength: 200 })), (body) => {
        const result = parseGrantForm(body);
        expect(typeof result.ok).toBe("boolean");
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it("reads back exactly the fields a URLSearchParams form was built from, in any order, among unknown fields", () => {
    fc.assert(
      fc.property(validGrant, fc.array(extraField, { maxLength: 4 }), fc.nat(), (grant, extra, seed) => {
        const pairs = [...pairsOf(grant), ...extra];
        // A deterministic shuffle from the generated seed, so a failure replays.
        const order = pairs.map((pair, i) => ({ pair, key: (seed * (i + 7919)) % 104729 }));
        order.sort((a, b) => a.key - b.key);
        const body = new URLSearchParams(order.map((o) => o.pair)).toString();
        expect(parseGrantForm(body)).toEqual({ ok: true, grant });
      }),
      { numRuns: 500 },
    );
  });

  it("treats a missing client_id or client_secret as empty, so the credential check fails rather than the parse", () => {
    fc.assert(
      fc.property(validGrant, fc.constantFrom("client_id", "client_secret"), (grant, dropped) => {
        const body = new URLSearchParams(pairsOf(grant).filter(([name]) => name !== dropped)).toString();
        const result = parseGrantForm(body);
        expect(result.ok).toBe(true);
        if (result.ok)
          expect(dropped === "client_id" ? result.grant.clientId : result.grant.clientSecret).toBe("");
      }),
      { numRuns: 200 },
    );
  });

  it("refuses any repeated field, even with the same value twice, and names it", () => {
    fc.assert(
      fc.property(validGrant, fc.constantFrom(...FIELDS), fc.boolean(), (grant, name, same) => {
        const pairs = pairsOf(grant);
        const original = pairs.find(([n]) => n === name)?.[1] ?? "";
        pairs.push([name, same ? original : `${original}x`]);
        expect(parseGrantForm(new URLSearchParams(pairs).toString())).toEqual({
          ok: false,
          reason: `field ${name} is repeated`,
        });
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a form without grant_type=password, a username or a password", () => {
    fc.assert(
      fc.property(validGrant, fc.constantFrom("grant_type", "username", "password"), (grant, dropped) => {
        const body = new URLSearchParams(pairsOf(grant).filter(([name]) => name !== dropped)).toString();
        const result = parseGrantForm(body);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.reason).toContain(dropped);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a NUL byte anywhere in the username or password, percent-encoded or raw", () => {
    fc.assert(
      fc.property(
        validGrant,
        fc.constantFrom("username", "password"),
        fc.nat(),
        fc.boolean(),
        (grant, field, at, raw) => {
          const value = field === "username" ? grant.username : grant.password;
          const cut = value.length === 0 ? 0 : at % (value.length + 1);
          const withNul = `${value.slice(0, cut)}\0${value.slice(cut)}`;
          let body = new URLSearchParams(pairsOf({ ...grant, [field]: withNul })).toString();
          if (raw) body = body.replace("%00", "\0");
          expect(parseGrantForm(body)).toEqual({ ok: false, reason: "NUL byte in username or password" });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a password over the byte limit and a username over the length limit", () => {
    const longPassword = text({ minLength: 300, maxLength: 1500 }).filter(
      (p) => noNul(p) && Buffer.byteLength(p) > MAX_PASSWORD_BYTES,
    );
    const longUsername = text({ minLength: MAX_USERNAME_LENGTH + 1, maxLength: 800 }).filter(
      (u) => noNul(u) && u.length > MAX_USERNAME_LENGTH,
    );
    fc.assert(
      fc.property(
        validGrant,
        fc.oneof(
          longPassword.map((password) => ({ password })),
          longUsername.map((username) => ({ username })),
        ),
        (grant, change) => {
          const result = parseGrantForm(new URLSearchParams(pairsOf({ ...grant, ...change })).toString());
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.reason).toMatch(/longer than/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("decodes invalid UTF-8 in a percent-encoded field to U+FFFD instead of failing", () => {
    fc.assert(
      fc.property(validGrant, fc.uint8Array({ minLength: 1, maxLength: 40 }), (grant, bytes) => {
        const encoded = [...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
        const body = new URLSearchParams(pairsOf(grant))
          .toString()
          .replace(/password=[^&]*/, `password=${encoded}`);
        const result = parseGrantForm(body);
        const decoded = Buffer.from(bytes).toString("utf8");
        if (decoded.includes("\0")) expect(result.ok).toBe(false);
        else expect(result).toEqual({ ok: true, grant: { ...grant, password: decoded } });
      }),
      { numRuns: 300 },
    );
  });
});
