import { describe, expect, it } from "vitest";
import { parseAddress, parseDomain } from "../../../src/accounts/address.js";

describe("parseAddress", () => {
  it("lowercases and splits an address like Dovecot's %u, %n and %d", () => {
    expect(parseAddress(" Alice.B+tag@Example.ORG ")).toEqual({
      ok: true,
      address: { email: "alice.b+tag@example.org", local: "alice.b+tag", domain: "example.org" },
    });
  });

  it.each([
    ["no-at-sign", "is not an address of the form local@domain"],
    ["@example.org", "is not an address of the form local@domain"],
    ["a@", "is not an address of the form local@domain"],
    ["a b@example.org", "has characters not allowed in the local part"],
    ["a:b@example.org", "has characters not allowed in the local part"],
    ["a@exa_mple.org", "has an invalid domain name"],
    ["a@localhost", "has an invalid domain name"],
    [`${"x".repeat(65)}@example.org`, "has a local part longer than 64 characters"],
  ])("refuses %s", (raw, reason) => {
    expect(parseAddress(raw)).toEqual({ ok: false, reason });
  });

  it("accepts domains and refuses non-domains", () => {
    expect(parseDomain("Exemple.FR")).toEqual({ ok: true, domain: "exemple.fr" });
    expect(parseDomain("-bad-.org").ok).toBe(false);
  });
});
