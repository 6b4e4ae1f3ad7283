import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailauth } from "../cli/run-cli.js";
import { createNamespace, type Namespace, requireNft } from "./netns.js";

// The built CLI as cron runs it, reading another mailauth's export (--from): no database needed.
// Not 192.0.2.0/24: test hosts may own addresses there, and the sync never bans its own host.
const TOKEN = "firewall-token-0123456789";
const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
const EXPORT = {
  generated_at: new Date().toISOString(),
  entries: [
    { network: "203.0.113.0/25", expires_at: inAnHour },
    { network: "203.0.113.128/25", expires_at: inAnHour },
    { network: "198.51.100.7/32", expires_at: null },
    { network: "2001:db8::/48", expires_at: null },
  ],
};

let server: Server;
let url: string;
let dataDir: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(EXPORT));
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dataDir = mkdtempSync(join(tmpdir(), "mailauth-firewall-cli-"));
});
afterAll(() => {
  server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const env = (more: Record<string, string> = {}) => ({
  MAILAUTH_DATA_DIR: dataDir,
  MAILAUTH_FIREWALL_TOKEN: TOKEN,
  ...more,
});

describe("mailauth firewall render / sync --dry-run", () => {
  it("prints the nft script built from another server's export, adjacent halves merged", async () => {
    const result = await mailauth(["firewall", "render", "--from", url], { env: env() });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^add element inet mailauth ban4 \{\n\t198\.51\.100\.7,\n\t203\.0\.113\.0\/24 timeout \d+s\n\}$/m,
    );
    expect(result.stdout).toContain("add element inet mailauth ban6 {\n\t2001:db8::/48\n}");
  });

  it("prints the script and applies nothing with sync --dry-run", async () => {
    const result = await mailauth(["firewall", "sync", "--dry-run", "--from", url], {
      env: env({ MAILAUTH_NFT_BINARY: "/nonexistent/nft" }),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("flush set inet mailauth ban4");
  });

  it("fails with the reason when the export refuses the token", async () => {
    const result = await mailauth(["firewall", "sync", "--from", url], {
      env: env({ MAILAUTH_FIREWALL_TOKEN: "some-other-token-0123" }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /firewall sync failed: cannot read the bans, firewall left as it was: .* answered 401 \(is MAILAUTH_FIREWALL_TOKEN the server's\?\)/,
    );
  });

  it("names the wrong setting", async () => {
    const result = await mailauth(["firewall", "render", "--from", url], {
      env: env({ MAILAUTH_NFT_SET4: "mailauth_banned_v4" }),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "MAILAUTH_NFT_SET4 must be a name of letters, digits and _ of at most 15 characters",
    );
  });

  it("fails with the usual line when the state directory cannot be written", async () => {
    const file = join(dataDir, "not-a-directory");
    writeFileSync(file, "");
    const result = await mailauth(["firewall", "sync", "--from", url], {
      env: env({ MAILAUTH_FIREWALL_STATE_DIR: join(file, "state"), MAILAUTH_NFT_BINARY: "/nonexistent/nft" }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^mailauth: firewall sync failed: cannot take the lock in \/.*\/not-a-directory\/state, firewall left as it was: ENOTDIR/m,
    );
  });

  it("fails clearly when nft cannot be run", async () => {
    const result = await mailauth(["firewall", "sync", "--from", url], {
      env: env({ MAILAUTH_NFT_BINARY: "/nonexistent/nft" }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "mailauth: firewall sync failed: nft list table inet mailauth: cannot run /nonexistent/nft",
    );
  });
});

describe.runIf(requireNft("firewall CLI sync test"))("mailauth firewall sync", () => {
  let ns: Namespace;
  beforeAll(() => {
    ns = createNamespace("cli");
  });
  afterAll(() => ns?.remove());

  it("applies the export, prints what it added, and changes nothing the second time", async () => {
    const nftEnv = env({ MAILAUTH_NFT_BINARY: ns.nftCommand.join(" ") });
    const first = await mailauth(["firewall", "sync", "--from", url], { env: nftEnv });
    expect(first.stderr).toBe("");
    expect(first.stdout).toBe(
      "synced inet mailauth: 2 elements in ban4, 1 in ban6; added 3, removed 0\n+ 198.51.100.7\n+ 203.0.113.0/24\n+ 2001:db8::/48\n",
    );
    expect(first.code).toBe(0);
    const second = await mailauth(["firewall", "sync", "--from", url], { env: nftEnv });
    expect(second.stdout).toBe("synced inet mailauth: 2 elements in ban4, 1 in ban6; added 0, removed 0\n");
    expect(ns.exec(["nft", "list", "set", "inet", "mailauth", "ban4"])).toContain("198.51.100.7");
  });
});
