import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlockEntry } from "../../src/firewall/blocklist.js";
import { DEFAULT_NFT, type NftSettings } from "../../src/firewall/config.js";
import { syncFirewall } from "../../src/firewall/sync.js";
import { createNamespace, type Namespace, requireNft } from "./netns.js";

// Two namespaces joined by a veth pair, on documentation addresses that never leave them:
// the server 192.0.2.1 / 2001:db8::1, the peer .2 and .3 / ::2 and ::3.
const LISTEN = `const net = require("node:net");
let ready = 0;
for (const port of [2525, 587]) net.createServer((s) => s.on("error", () => {}).end("hi\\n")).listen(port, "::", () => ++ready === 2 && console.log("ready"));`;
const CONNECT = `const [host, local, port] = process.argv.slice(1);
const s = require("node:net").connect({ host, port: Number(port), localAddress: local, timeout: 1500 });
s.on("connect", () => { console.log("connected"); s.destroy(); });
s.on("timeout", () => { console.log("timed out"); s.destroy(); });
s.on("error", (e) => console.log("error " + e.code));`;

describe.runIf(requireNft("nftables packet tests"))("packets from a banned address", () => {
  let server: Namespace;
  let peer: Namespace;
  let listener: ChildProcess;
  let stateDir: string;

  beforeAll(async () => {
    server = createNamespace("srv");
    peer = createNamespace("peer");
    stateDir = mkdtempSync(join(tmpdir(), "mailauth-firewall-"));
    server.exec(["ip", "link", "add", "ma0", "type", "veth", "peer", "name", "ma1", "netns", peer.name]);
    for (const [ns, dev, addresses] of [
      [server, "ma0", ["192.0.2.1/24", "2001:db8::1/64"]],
      [peer, "ma1", ["192.0.2.2/24", "192.0.2.3/24", "2001:db8::2/64", "2001:db8::3/64"]],
    ] as const) {
      for (const address of addresses)
        ns.exec(["ip", "addr", "add", address, "dev", dev, ...(address.includes(":") ? ["nodad"] : [])]);
      ns.exec(["ip", "link", "set", dev, "up"]);
    }
    listener = spawn("ip", ["netns", "exec", server.name, process.execPath, "-e", LISTEN], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((ready, fail) => {
      listener.stdout?.on("data", (d) => String(d).includes("ready") && ready());
      listener.on("exit", (code) => fail(new Error(`listener exited with ${code}`)));
    });
  });
  afterAll(() => {
    listener?.kill();
    server?.remove();
    peer?.remove();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Opens a TCP connection from the peer, from a chosen source address. */
  function connect(to: string, from: string, port = 2525): Promise<string> {
    return new Promise((done) => {
      const child = spawn("ip", [
        "netns",
        "exec",
        peer.name,
        process.execPath,
        "-e",
        CONNECT,
        to,
        from,
        String(port),
      ]);
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.on("close", () => done(out.trim()));
    });
  }

  async function sync(bans: BlockEntry[], nft: NftSettings = DEFAULT_NFT) {
    const outcome = await syncFirewall({
      run: server.nft,
      nft,
      stateDir,
      now: () => new Date(),
      source: async () => ({ bans, allow: [] }),
    });
    expect(outcome).toMatchObject({ ok: true });
  }

  it("connects from every address while nothing is banned", async () => {
    await sync([]);
    expect(await connect("192.0.2.1", "192.0.2.3")).toBe("connected");
    expect(await connect("2001:db8::1", "2001:db8::3")).toBe("connected");
  });

  it("drops a banned IPv4 address while its neighbour connects", async () => {
    await sync([{ network: "192.0.2.3", expiresAt: new Date(Date.now() + 600_000) }]);
    const [banned, other] = await Promise.all([
      connect("192.0.2.1", "192.0.2.3"),
      connect("192.0.2.1", "192.0.2.2"),
    ]);
    expect(banned).toBe("timed out");
    expect(other).toBe("connected");
  });

  it("drops a banned IPv6 address while its neighbour connects", async () => {
    await sync([{ network: "2001:db8::3/128", expiresAt: null }]);
    const [banned, other] = await Promise.all([
      connect("2001:db8::1", "2001:db8::3"),
      connect("2001:db8::1", "2001:db8::2"),
    ]);
    expect(banned).toBe("timed out");
    expect(other).toBe("connected");
  });

  it("guards only the configured ports when some are set", async () => {
    await sync([{ network: "192.0.2.3", expiresAt: null }], { ...DEFAULT_NFT, ports: [587] });
    const [guarded, unguarded] = await Promise.all([
      connect("192.0.2.1", "192.0.2.3", 587),
      connect("192.0.2.1", "192.0.2.3", 2525),
    ]);
    expect(guarded).toBe("timed out");
    expect(unguarded).toBe("connected");
  });

  it("lets the address in again once its ban is lifted", async () => {
    await sync([{ network: "192.0.2.3", expiresAt: null }]);
    await sync([]);
    expect(await connect("192.0.2.1", "192.0.2.3")).toBe("connected");
  });
});
