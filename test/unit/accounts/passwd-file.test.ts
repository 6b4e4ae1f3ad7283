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
      { ok: false, line: 1, reason: 'user "nodomain" is not an address of the form local@domain' },
      { ok: false, line: 2, reason: "ann@example.org: no password field" },
      { ok: false, line: 3, reason: 'cid@example.org: uid "abc" is not a number' },
    ]);
    expect(JSON.stringify(lines)).not.toContain("hunter2");
  });
});
