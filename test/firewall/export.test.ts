import { describe, expect, it } from "vitest";
import { exportBlocklist, exportJson, exportText, remainingSeconds } from "../../src/firewall/export.js";

const NOW = new Date("2026-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe("exportBlocklist", () => {
  it("leaves out expired bans and keeps permanent ones", () => {
    const exported = exportBlocklist(
      {
        bans: [
          { network: "192.0.2.1", expiresAt: at(-1) },
          { network: "192.0.2.2", expiresAt: NOW },
          { network: "192.0.2.3", expiresAt: null },
        ],
        allow: [],
      },
      NOW,
    );
    expect(exported.v4).toEqual([{ start: 0xc0000203n, end: 0xc0000203n, expires: null }]);
  });

  it("rounds an expiry up to the whole second, so a timeout never ends early", () => {
    const exported = exportBlocklist(
      { bans: [{ network: "192.0.2.1", expiresAt: at(0.001) }], allow: [] },
      NOW,
    );
    const piece = exported.v4[0];
    expect(piece && remainingSeconds(piece, NOW)).toBe(1);
    expect(piece && remainingSeconds(piece, at(0.5))).toBe(1);
  });

  it("merges two bans ending within the same second", () => {
    const exported = exportBlocklist(
      {
        bans: [
          { network: "192.0.2.0/25", expiresAt: at(60.1) },
          { network: "192.0.2.128/25", expiresAt: at(60.7) },
        ],
        allow: [],
      },
      NOW,
    );
    expect(exportText(exported)).toBe("192.0.2.0/24\n");
  });

  it("sorts families apart and carves the allowlist out of both", () => {
    const exported = exportBlocklist(
      {
        bans: [
          { network: "198.51.100.0/24", expiresAt: null },
          { network: "2001:db8::/126", expiresAt: at(3600) },
          { network: "::ffff:203.0.113.9", expiresAt: null },
        ],
        allow: ["198.51.100.0/25", "2001:db8::2/127"],
      },
      NOW,
    );
    expect(exportText(exported)).toBe("198.51.100.128/25\n203.0.113.9/32\n2001:db8::/127\n");
    expect(exportJson(exported, NOW).entries).toEqual([
      { network: "198.51.100.128/25", expires_at: null },
      { network: "203.0.113.9/32", expires_at: null },
      { network: "2001:db8::/127", expires_at: "2026-01-01T01:00:00.000Z" },
    ]);
  });

  it("reports entries that are not addresses instead of failing the whole export", () => {
    const exported = exportBlocklist(
      { bans: [{ network: "not-an-ip", expiresAt: null }], allow: ["10.0.0.0/33"] },
      NOW,
    );
    expect(exported).toEqual({ v4: [], v6: [], invalid: ["not-an-ip", "10.0.0.0/33"] });
  });
});
