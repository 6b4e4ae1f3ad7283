import { describe, expect, it } from "vitest";
import { parsePasswdFile } from "../../../src/accounts/passwd-file.js";

describe("parsePasswdFile", () => {
  it("reads a full Dovecot passwd-file line with its userdb extra fields", () => {
    const [line] = parsePasswdFile(
      "Jean.Dupont@Exemple.fr:{SHA512-CRYPT}$6$abc$def:5000:5001::/var/vmail/exemple.fr/jean::userdb_mail=maildir:~/Maildir userdb_quota_rule=*:storage=1G\n",
    );
    expect(line).toEqual({
      ok: true,
      entry: {
        line: 1,
        address: { email: "jean.dupont@exemple.fr", local: "jean.dupont", domain: "exemple.fr" },
        hash: "{SHA512-CRYPT}$6$abc$def",
        uid: 5000,
        gid: 5001,
        home: "/var/vmail/exemple.fr/jean",
        mail: "maildir:~/Maildir",
        quota_rule: "*:storage=1G",
        dropped: [],
      },
    });
  });

  it("takes a line with only user and hash, and skips comments and blank lines", () => {
    const lines = parsePasswdFile("# accounts\n\nbob@example.org:{SSHA}abcd\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      ok: true,
      entry: { line: 3, hash: "{SSHA}abcd", uid: null, home: null },
    });
  });

  it("reports lines it cannot take with their number and reason, never the password field", () => {
    const lines = parsePasswdFile(
      "nodomain:{PLAIN}hunter2-secret\nann@example.org:\ncid@example.org:{SSHA}x:abc\n",
    );
    expect(lines).toEqual([
      { ok: false, line: 1, reason: "the user field is not an address of the form local@domain" },
      { ok: false, line: 2, reason: "ann@example.org: no password field" },
      { ok: false, line: 3, reason: "cid@example.org: the uid field is not a number" },
    ]);
    expect(JSON.stringify(lines)).not.toContain("hunter2");
  });

  it("reads a hash without {SCHEME} as {CRYPT}, as Dovecot's passwd-file does", () => {
    const [line] = parsePasswdFile("bob@example.org:$6$salt$hash\n");
    expect(line).toMatchObject({ ok: true, entry: { hash: "{CRYPT}$6$salt$hash" } });
  });

  it("refuses a line whose passdb fields limit or redirect its logins, naming the field", () => {
    const lines = parsePasswdFile(
      [
        "a@example.org:{SSHA}x::::::allow_nets=10.0.0.0/8",
        "b@example.org:{SSHA}x::::::proxy=y host=10.0.0.1",
        "c@example.org:{SSHA}x::::::NOLOGIN=y",
        "d@example.org:{SSHA}x::::::nopassword",
        "e@example.org:{SSHA}x::::::userdb_allow_nets=10.0.0.0/8",
      ].join("\n"),
    );
    expect(lines.map((l) => (l.ok ? "ok" : l.reason.split(" which")[0]))).toEqual([
      "a@example.org: its passdb field allow_nets limits logins to some networks,",
      "b@example.org: its passdb field proxy sends logins to another server,",
      expect.stringContaining("c@example.org: its passdb field nologin refuses logins"),
      "d@example.org: its passdb field nopassword takes any password,",
      "ok",
    ]);
  });

  it("names the extra fields it drops, but never what is not key=value", () => {
    const [line] = parsePasswdFile("a@example.org:{SSHA}x::::::nodelay=y userdb_acl=x hunter2-secret\n");
    expect(line).toMatchObject({
      ok: true,
      entry: { dropped: ["nodelay", "userdb_acl", "(a field that is not key=value)"] },
    });
    expect(JSON.stringify(line)).not.toContain("hunter2");
  });
});
