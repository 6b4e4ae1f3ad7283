import { type AddressInfo, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { builtinAllow } from "../../src/blacklist/builtin-allow.js";
import { exportUrl, fetchBlocklist } from "../../src/firewall/source-http.js";

const reply = (status: number, body: unknown) =>
  (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

describe("fetchBlocklist (sync --from)", () => {
  it("reads /firewall/blacklist.json under a server's base URL, or the URL given in full", () => {
    expect(exportUrl("https://mail.example.org").href).toBe(
      "https://mail.example.org/firewall/blacklist.json",
    );
    expect(exportUrl("https://mail.example.org/auth/").href).toBe(
      "https://mail.example.org/auth/firewall/blacklist.json",
    );
    expect(exportUrl("https://x.example/custom.json").href).toBe("https://x.example/custom.json");
  });

  it("sends the token and reads each entry's expiry", async () => {
    let sent = "";
    const fetcher = (async (_url: URL, init: RequestInit) => {
      sent = new Headers(init.headers).get("authorization") ?? "";
      return new Response(
        JSON.stringify({
          entries: [
            { network: "192.0.2.0/24", expires_at: "2026-01-01T01:00:00.000Z" },
            { network: "2001:db8::/32", expires_at: null },
          ],
        }),
      );
    }) as unknown as typeof fetch;
    const list = await fetchBlocklist("https://mail.example.org", "token-0123456789abcdef", fetcher);
    expect(sent).toBe("Bearer token-0123456789abcdef");
    expect(list).toEqual({
      bans: [
        { network: "192.0.2.0/24", expiresAt: new Date("2026-01-01T01:00:00.000Z") },
        { network: "2001:db8::/32", expiresAt: null },
      ],
      allow: [],
    });
  });

  it("says why it could not reach the server", async () => {
    const closed = createServer();
    await new Promise<void>((ready) => closed.listen(0, "127.0.0.1", ready));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));
    await expect(fetchBlocklist(`http://127.0.0.1:${port}`, null)).rejects.toThrow(
      `cannot reach http://127.0.0.1:${port}/firewall/blacklist.json: ECONNREFUSED`,
    );
  });

  it("throws on a refusal or on something that is not an export, so the sync changes nothing", async () => {
    await expect(fetchBlocklist("https://m.example", "t", reply(401, {}))).rejects.toThrow(
      "answered 401 (is MAILAUTH_FIREWALL_TOKEN the server's?)",
    );
    await expect(fetchBlocklist("https://m.example", "t", reply(200, { bans: [] }))).rejects.toThrow(
      "not a mailauth firewall export",
    );
    await expect(
      fetchBlocklist("https://m.example", "t", reply(200, { entries: [{ network: 1 }] })),
    ).rejects.toThrow("malformed entry");
    await expect(
      fetchBlocklist(
        "https://m.example",
        "t",
        reply(200, { entries: [{ network: "192.0.2.1", expires_at: "soon" }] }),
      ),
    ).rejects.toThrow("malformed entry");
  });
});

describe("builtinAllow", () => {
  it("holds loopback, every address of the host but IPv6 link-local ones, and the trusted networks", () => {
    const info = (address: string, family: "IPv4" | "IPv6", internal = false) =>
      ({ address, family, netmask: "", mac: "", internal, cidr: null }) as never;
    expect(
      builtinAllow(["203.0.113.0/28"], {
        lo: [info("127.0.0.1", "IPv4", true), info("::1", "IPv6", true)],
        eth0: [info("198.51.100.4", "IPv4"), info("fe80::1%eth0", "IPv6"), info("2001:db8::4", "IPv6")],
      }).map((e) => e.network),
    ).toEqual(["127.0.0.0/8", "::1/128", "198.51.100.4", "2001:db8::4", "203.0.113.0/28"]);
  });
});
