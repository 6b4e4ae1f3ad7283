import { describe, expect, it } from "vitest";
import { describeChange } from "../../../src/audit/describe.js";

describe("describeChange", () => {
  it("shows only the fields that changed", () => {
    const before = { enabled: true, scheme: "BLF-CRYPT", home: "/srv/a", quota_rule: null };
    expect(describeChange(before, { ...before, enabled: false })).toBe("enabled: true → false");
    expect(describeChange(before, { ...before, home: "/srv/b", quota_rule: "*:storage=1G" })).toBe(
      "home: /srv/a → /srv/b, quota_rule: null → *:storage=1G",
    );
    expect(describeChange(before, { ...before })).toBe("(no change)");
  });

  it("lists what a creation set and what a deletion removed, leaving out empty fields", () => {
    expect(describeChange(null, { network: "203.0.113.0/24", reason: "scan", expires_at: null })).toBe(
      "network: 203.0.113.0/24, reason: scan",
    );
    expect(describeChange({ network: "192.0.2.0/24", reason: "office" }, null)).toBe(
      "removed network: 192.0.2.0/24, reason: office",
    );
    expect(describeChange(null, null)).toBe("");
  });

  it("names bans and allowlist entries by their network", () => {
    const ban = { network: "203.0.113.0/24", reason: "scan", level: 1 };
    expect(describeChange({ live: [ban] }, { live: [], lifted_reason: "done" })).toBe(
      "live: [203.0.113.0/24] → [], lifted_reason: null → done",
    );
  });
});
