import { describe, expect, it } from "vitest";
import { parseGrantForm } from "../../../src/http/grant-form.js";

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const base = {
  grant_type: "password",
  username: "alice@example.org",
  password: "p",
  client_id: "dovecot",
  client_secret: "s",
};

describe("parseGrantForm", () => {
  it("decodes Dovecot's form, with + and spaces escaped", () => {
    const result = parseGrantForm(
      "grant_type=password&username=a%2Bb@example.org&password=x%20y%2B&client_id=dovecot&client_secret=s",
    );
    expect(result).toEqual({
      ok: true,
      grant: { username: "a+b@example.org", password: "x y+", clientId: "dovecot", clientSecret: "s" },
    });
  });

  it("keeps an empty password as a normal (failing) login attempt", () => {
    expect(parseGrantForm(form({ ...base, password: "" }))).toMatchObject({
      ok: true,
      grant: { password: "" },
    });
  });

  it.each([
    [{ ...base, grant_type: "client_credentials" }, "grant_type must be password"],
    [{ ...base, username: "" }, "username is missing"],
    [{ ...base, password: "x".repeat(1025) }, "password is longer than 1024 bytes"],
    [{ ...base, password: "€".repeat(342) }, "password is longer than 1024 bytes"],
    [{ ...base, username: "u".repeat(513) }, "username is longer than 512 characters"],
    [{ ...base, password: "a\0b" }, "NUL byte in username or password"],
  ])("refuses a malformed grant (%#)", (fields, reason) => {
    expect(parseGrantForm(form(fields))).toEqual({ ok: false, reason });
  });

  it("refuses a missing password and a repeated field", () => {
    const { password: _omitted, ...noPassword } = base;
    expect(parseGrantForm(form(noPassword))).toEqual({ ok: false, reason: "password is missing" });
    expect(parseGrantForm(`${form(base)}&username=bob@example.org`)).toEqual({
      ok: false,
      reason: "field username is repeated",
    });
  });
});
