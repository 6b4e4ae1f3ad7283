import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { manualClock } from "../../src/clock.js";
import type { Db } from "../../src/db/database.js";
import type { Blocklist } from "../../src/firewall/blocklist.js";
import { firewallSettingsFromEnv } from "../../src/firewall/config.js";
import { registerFirewall } from "../../src/http/firewall.js";
import { createLogger } from "../../src/log.js";

const TOKEN = "firewall-token-0123456789";
const parsed = firewallSettingsFromEnv({}, "/nonexistent");
if (!parsed.ok) throw new Error(parsed.errors.join());
const firewallSettings = parsed.settings;
const clock = manualClock(new Date("2026-01-01T00:00:00Z"));
const list: Blocklist = {
  bans: [
    { network: "192.0.2.0/24", expiresAt: new Date("2026-01-01T01:00:00Z") },
    { network: "2001:db8::/32", expiresAt: null },
    { network: "203.0.113.5", expiresAt: new Date("2025-12-31T00:00:00Z") },
  ],
  allow: ["192.0.2.0/25"],
};

function app(token: string | null = TOKEN) {
  const hono = new Hono();
  registerFirewall(hono, {
    db: {} as Db,
    clock,
    log: createLogger({ logLevel: "silent", logFormat: "json" }),
    config: { trustedNetworks: [], firewall: { ...firewallSettings, token } },
    blocklist: async () => list,
  });
  return hono;
}
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe("GET /firewall/blacklist.*", () => {
  it("serves the nft script that sync applies", async () => {
    const response = await app().request("/firewall/blacklist.nft", bearer(TOKEN));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const script = await response.text();
    expect(script).toContain("add element inet mailauth ban4 {\n\t192.0.2.128/25 timeout 3600s\n}");
    expect(script).toContain("add element inet mailauth ban6 {\n\t2001:db8::/32\n}");
  });

  it("serves one CIDR per line, allowlist carved out and expired bans left out", async () => {
    const response = await app().request("/firewall/blacklist.txt", bearer(TOKEN));
    expect(await response.text()).toBe("192.0.2.128/25\n2001:db8::/32\n");
  });

  it("serves the JSON that sync --from reads, with each expiry", async () => {
    const response = await app().request("/firewall/blacklist.json", bearer(TOKEN));
    expect(await response.json()).toEqual({
      generated_at: "2026-01-01T00:00:00.000Z",
      entries: [
        { network: "192.0.2.128/25", expires_at: "2026-01-01T01:00:00.000Z" },
        { network: "2001:db8::/32", expires_at: null },
      ],
    });
  });

  it("answers 401 without the token, with a wrong one, or with another scheme", async () => {
    for (const init of [
      {},
      bearer("wrong-token-0123456789"),
      { headers: { authorization: `Basic ${TOKEN}` } },
    ]) {
      for (const path of ["/firewall/blacklist.nft", "/firewall/blacklist.txt", "/firewall/blacklist.json"]) {
        const response = await app().request(path, init);
        expect(response.status, path).toBe(401);
        expect(await response.text()).not.toContain("192.0.2");
      }
    }
  });

  it("answers 401 to everyone while no token is configured", async () => {
    expect((await app(null).request("/firewall/blacklist.txt", bearer(""))).status).toBe(401);
    expect(
      (await app(null).request("/firewall/blacklist.txt", { headers: { authorization: "Bearer " } })).status,
    ).toBe(401);
  });
});
