import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BlockEntry } from "../../src/firewall/blocklist.js";
import { type Family, rangeToNft } from "../../src/firewall/cidr.js";
import { DEFAULT_NFT, MAIL_PORTS, type NftSettings } from "../../src/firewall/config.js";
import { listSet } from "../../src/firewall/kernel-set.js";
import { acquireLock, processStart } from "../../src/firewall/lock.js";
import type { NftRunner } from "../../src/firewall/nft.js";
import { LOCK_FILE, readLastSync, SNAPSHOT_FILE } from "../../src/firewall/state.js";
import { type SyncOutcome, syncFirewall } from "../../src/firewall/sync.js";
import { TABLE_MARK } from "../../src/firewall/table.js";
import { createNamespace, type Namespace, requireNft } from "./netns.js";

// The sync's clock is pinned to a whole second per test, so timeouts come out exact.
let now = new Date();
const inSeconds = (s: number) => new Date(now.getTime() + s * 1000);
const ban = (network: string, expiresAt: Date | null = null): BlockEntry => ({ network, expiresAt });

describe.runIf(requireNft("nftables sync tests"))(
  "firewall sync against the real nft, in a network namespace",
  () => {
    let ns: Namespace;
    let stateDir: string;
    beforeAll(() => {
      ns = createNamespace("sync");
      stateDir = mkdtempSync(join(tmpdir(), "mailauth-firewall-"));
    });
    afterAll(() => {
      ns?.remove();
      rmSync(stateDir, { recursive: true, force: true });
    });
    beforeEach(async () => {
      now = new Date(Math.floor(Date.now() / 1000) * 1000);
      await ns.nft(["flush", "ruleset"]); // the namespace's own ruleset, not the host's
      rmSync(join(stateDir, SNAPSHOT_FILE), { force: true });
    });

    function sync(
      bans: BlockEntry[],
      allow: string[] = [],
      more: {
        nft?: NftSettings;
        run?: NftRunner;
        listBeforeUpTo?: number;
        now?: () => Date;
        dir?: string;
      } = {},
    ): Promise<SyncOutcome> {
      return syncFirewall({
        run: more.run ?? ns.nft,
        nft: more.nft ?? DEFAULT_NFT,
        stateDir: more.dir ?? stateDir,
        now: more.now ?? (() => now),
        source: async () => ({ bans, allow }),
        listBeforeUpTo: more.listBeforeUpTo,
      });
    }
    const load = async (script: string) => expect((await ns.nft(["-f", "-"], script)).code).toBe(0);

    /** What the kernel holds: elements as nft prints them, with their timeout when they have one. */
    async function held(family: Family, nft = DEFAULT_NFT): Promise<string[]> {
      const listing = await listSet(ns.nft, nft, family);
      if (!listing.ok) throw new Error(listing.reason);
      return listing.elements.map(
        (e) => rangeToNft({ family, ...e }) + (e.timeout === null ? "" : ` ${e.timeout}s`),
      );
    }

    const table = async () => (await ns.nft(["list", "table", "inet", "mailauth"])).stdout;

    it("leaves the sets holding exactly the bans, each with its remaining lifetime", async () => {
      const outcome = await sync([
        ban("192.0.2.0/24", inSeconds(3600)),
        ban("198.51.100.7"),
        ban("203.0.113.0/28", inSeconds(600)),
      ]);
      expect(outcome).toMatchObject({ ok: true, v4: 3, v6: 0, removed: [] });
      expect(outcome.ok && outcome.added).toEqual(["192.0.2.0/24", "198.51.100.7", "203.0.113.0/28"]);
      expect(await held(4)).toEqual(["192.0.2.0/24 3600s", "198.51.100.7", "203.0.113.0/28 600s"]);
      expect(await held(6)).toEqual([]);
    });

    it("changes nothing on a second sync with the same bans", async () => {
      const bans = [ban("192.0.2.0/24", inSeconds(3600)), ban("2001:db8::/48")];
      await sync(bans);
      const first = await table();
      const outcome = await sync(bans);
      expect(outcome).toMatchObject({ ok: true, added: [], removed: [] });
      const strip = (text: string) => text.replace(/ timeout \S+ expires \S+/g, "");
      expect(strip(await table())).toBe(strip(first));
      expect((await table()).match(/ drop$/gm)).toHaveLength(2);
    });

    it("on big sets, reports what changed since the last good sync without listing the sets before applying", async () => {
      await sync([ban("192.0.2.1"), ban("2001:db8::1")]);
      const calls: string[] = [];
      const recording: NftRunner = (args, stdin) => {
        calls.push(args.slice(0, 3).join(" "));
        return ns.nft(args, stdin);
      };
      const outcome = await sync([ban("192.0.2.2"), ban("2001:db8::1")], [], {
        run: recording,
        listBeforeUpTo: 0,
      });
      expect(outcome).toMatchObject({ ok: true, added: ["192.0.2.2"], removed: ["192.0.2.1"] });
      // One read of the marked table (with nft 1.0.6 every listing fetches every element, so each
      // one counts at a million), the apply, and the verification's listing of the two sets.
      expect(calls).toEqual(["-a -t list", "-f -", "-j list set", "-j list set"]);
    });

    it("reports against the kernel after the table was deleted (reboot, nftables reload)", async () => {
      await sync([ban("192.0.2.1"), ban("2001:db8::1")]);
      await ns.nft(["delete", "table", "inet", "mailauth"]);
      const outcome = await sync([ban("192.0.2.1"), ban("2001:db8::1")], [], { listBeforeUpTo: 0 });
      expect(outcome).toMatchObject({ ok: true, added: ["192.0.2.1", "2001:db8::1"], removed: [] });
    });

    it("does not trust the snapshot of a table that was deleted and created again (new handles)", async () => {
      await sync([ban("192.0.2.1")]);
      const example = readFileSync(new URL("../../examples/nftables/mailauth.nft", import.meta.url), "utf8");
      await load(example); // as `systemctl reload nftables` does with the include: empty sets
      const outcome = await sync([ban("192.0.2.1")], [], { listBeforeUpTo: 0 });
      expect(outcome).toMatchObject({ ok: true, added: ["192.0.2.1"], removed: [] });
    });

    it("names an element added by hand that the sync removes", async () => {
      await sync([ban("192.0.2.1")]);
      await ns.nft(["add", "element", "inet", "mailauth", "ban4", "{ 203.0.113.99 }"]);
      const outcome = await sync([ban("192.0.2.1")]);
      expect(outcome).toMatchObject({ ok: true, added: [], removed: ["203.0.113.99"] });
    });

    it("refreshes the timeout of a re-ban", async () => {
      await sync([ban("192.0.2.1", inSeconds(60))]);
      expect(await held(4)).toEqual(["192.0.2.1 60s"]);
      const outcome = await sync([ban("192.0.2.1", inSeconds(7200))]);
      expect(outcome).toMatchObject({ ok: true, added: [], removed: [] });
      expect(await held(4)).toEqual(["192.0.2.1 7200s"]);
    });

    it("drops a lifted ban from the set", async () => {
      await sync([ban("192.0.2.1"), ban("198.51.100.7")]);
      const outcome = await sync([ban("192.0.2.1")]);
      expect(outcome).toMatchObject({ ok: true, added: [], removed: ["198.51.100.7"] });
      expect(await held(4)).toEqual(["192.0.2.1"]);
    });

    it("puts IPv6 bans in the IPv6 set, and IPv4-mapped ones in the IPv4 set", async () => {
      await sync([ban("2001:db8:1::/48", inSeconds(900)), ban("2001:db8:2::1"), ban("::ffff:192.0.2.9")]);
      expect(await held(6)).toEqual(["2001:db8:1::/48 900s", "2001:db8:2::1"]);
      expect(await held(4)).toEqual(["192.0.2.9"]);
    });

    it("merges overlapping and adjacent prefixes, each address keeping its latest expiry", async () => {
      await sync([
        ban("192.0.2.0/24"),
        ban("192.0.2.128/25"),
        ban("192.0.3.0/24"),
        ban("10.0.0.0/24", inSeconds(3600)),
        ban("10.0.0.0/26"),
      ]);
      expect(await held(4)).toEqual(["10.0.0.0/26", "10.0.0.64-10.0.0.255 3600s", "192.0.2.0/23"]);
    });

    it("carves allowlisted addresses out of a ban", async () => {
      await sync([ban("192.0.2.0/24"), ban("2001:db8::/64")], ["192.0.2.10", "2001:db8::/65"]);
      expect(await held(4)).toEqual(["192.0.2.0-192.0.2.9", "192.0.2.11-192.0.2.255"]);
      expect(await held(6)).toEqual(["2001:db8:0:0:8000::/65"]);
    });

    it("leaves the previous sets intact when nft refuses the script", async () => {
      await sync([ban("192.0.2.1")]);
      const broken: NftRunner = (args, stdin) =>
        ns.nft(args, args[0] === "-f" ? `${stdin}add element inet mailauth ban4 { 999.0.0.1 }\n` : stdin);
      const outcome = await sync([ban("198.51.100.7")], [], { run: broken });
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.reason).toMatch(
        /^nft did not apply the script, firewall left as it was: .*999\.0\.0\.1/,
      );
      expect(await held(4)).toEqual(["192.0.2.1"]);
    });

    it("fails when the kernel does not hold the export after the apply", async () => {
      const meddling: NftRunner = async (args, stdin) => {
        const result = await ns.nft(args, stdin);
        if (args[0] === "-f")
          await ns.nft(["add", "element", "inet", "mailauth", "ban4", "{ 203.0.113.99 }"]);
        return result;
      };
      const outcome = await sync([ban("192.0.2.1")], [], { run: meddling });
      expect(!outcome.ok && outcome.reason).toBe(
        "the kernel does not hold the export after the apply: ban4: unexpected 203.0.113.99",
      );
    });

    it("touches no other table", async () => {
      const other =
        "table inet host_rules {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 22 accept\n\t}\n}\n";
      expect((await ns.nft(["-f", "-"], other)).code).toBe(0);
      const before = (await ns.nft(["list", "table", "inet", "host_rules"])).stdout;
      await sync([ban("192.0.2.1")]);
      expect((await ns.nft(["list", "table", "inet", "host_rules"])).stdout).toBe(before);
    });

    it("refuses a host table of the same name that is not mailauth's, and leaves it byte-identical", async () => {
      // A Debian-style /etc/nftables.conf table with MAILAUTH_NFT_TABLE=filter.
      await load(
        "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0; policy drop;\n\t\tct state established,related accept\n\t\ttcp dport 22 accept\n\t}\n\tchain forward {\n\t\ttype filter hook forward priority 0; policy drop;\n\t}\n}\n",
      );
      const ruleset = async () => (await ns.nft(["-a", "list", "ruleset"])).stdout;
      const before = await ruleset();
      const outcome = await sync([ban("192.0.2.1")], [], { nft: { ...DEFAULT_NFT, table: "filter" } });
      expect(outcome).toMatchObject({
        ok: false,
        reason:
          "table inet filter exists and is not mailauth's (it lacks mailauth's comment and holds more than chain input and sets ban4, ban6); nothing was changed: set MAILAUTH_NFT_TABLE to a table of mailauth's own; firewall left as it was",
      });
      expect(await ruleset()).toBe(before);
    });

    it("refuses an unmarked table holding only a set of our name but of another shape", async () => {
      await load(
        "table inet mailauth {\n\tset ban4 {\n\t\ttype ipv4_addr\n\t\telements = { 203.0.113.1 }\n\t}\n}\n",
      );
      const before = await table();
      expect(await sync([ban("192.0.2.1")])).toMatchObject({ ok: false });
      expect(await table()).toBe(before);
    });

    it("marks the table an earlier version made (our chain and two sets, no comment), reporting what it held", async () => {
      const example = readFileSync(new URL("../../examples/nftables/mailauth.nft", import.meta.url), "utf8");
      await load(example.replace(/^\s*comment .*\n/m, ""));
      await ns.nft(["add", "element", "inet", "mailauth", "ban4", "{ 203.0.113.1 }"]);
      expect(await table()).not.toContain("comment");
      const outcome = await sync([ban("192.0.2.1")]);
      expect(outcome).toMatchObject({ ok: true, added: ["192.0.2.1"], removed: ["203.0.113.1"] });
      expect(outcome.warnings).toEqual([
        "re-created table inet mailauth whole to mark it as mailauth's (an earlier version made it)",
      ]);
      expect(await table()).toContain(`comment "${TABLE_MARK}"`);
      expect(await sync([ban("192.0.2.1")])).toMatchObject({
        ok: true,
        added: [],
        removed: [],
        warnings: [],
      });
    });

    it("syncs over the example table loaded from /etc/nftables.conf, which loads twice", async () => {
      const example = readFileSync(new URL("../../examples/nftables/mailauth.nft", import.meta.url), "utf8");
      expect((await ns.nft(["-f", "-"], example)).code).toBe(0);
      expect((await ns.nft(["-f", "-"], example)).code).toBe(0);
      expect(await sync([ban("192.0.2.1")])).toMatchObject({ ok: true, added: ["192.0.2.1"] });
      expect(await held(4)).toEqual(["192.0.2.1"]);
    });

    it("converges to changed settings: hook, priority, ports and set names", async () => {
      await sync([ban("192.0.2.1")]);
      const moved: NftSettings = {
        ...DEFAULT_NFT,
        hook: "prerouting",
        priority: -300,
        set4: "blk4",
        set6: "blk6",
        ports: [...MAIL_PORTS],
      };
      expect(await sync([ban("192.0.2.1")], [], { nft: moved })).toMatchObject({ ok: true });
      const text = await table();
      expect(text).toContain("type filter hook prerouting priority raw; policy accept;");
      expect(text).toContain("ip saddr @blk4 tcp dport { 25, 110, 143, 465, 587, 993, 995, 4190 } drop");
      expect(text).not.toContain("@ban4");
      expect(await held(4, moved)).toEqual(["192.0.2.1"]);
    });

    it("replaces its own table whole when a set of its name has another shape", async () => {
      const stray = `table inet mailauth {\n\tcomment "${TABLE_MARK}"\n\tset ban4 {\n\t\ttype ipv4_addr\n\t\telements = { 203.0.113.1 }\n\t}\n}\n`;
      expect((await ns.nft(["-f", "-"], stray)).code).toBe(0);
      const outcome = await sync([ban("192.0.2.0/24", inSeconds(60))]);
      expect(outcome).toMatchObject({ ok: true, added: ["192.0.2.0/24"], removed: ["203.0.113.1"] });
      expect(outcome.warnings).toEqual([
        expect.stringMatching(/^replaced table inet mailauth whole, as nft refused to update it: /),
      ]);
      expect(await held(4)).toEqual(["192.0.2.0/24 60s"]);
    });

    it("refuses to run while another sync holds the lock, and takes over a dead one's lock", async () => {
      const lock = acquireLock(join(stateDir, LOCK_FILE), { pid: 1, start: processStart(1) }); // init
      try {
        expect(await sync([ban("192.0.2.1")])).toEqual({
          ok: false,
          reason: "another sync is running (pid 1)",
          warnings: [],
        });
      } finally {
        if (lock.ok) lock.release();
      }
      writeFileSync(join(stateDir, LOCK_FILE), "4194999 1\n"); // above pid_max: no such process
      expect(await sync([ban("192.0.2.1")])).toMatchObject({ ok: true });
    });

    it("records when the last good sync finished, its table and its counts", async () => {
      let calls = 0;
      const finish = new Date(now.getTime() + 5000);
      await sync([ban("192.0.2.1"), ban("2001:db8::1")], [], { now: () => (calls++ === 0 ? now : finish) });
      expect(readLastSync(stateDir)).toEqual({
        time: finish.toISOString(),
        table: "inet mailauth",
        v4: 1,
        v6: 1,
        added: 2,
        removed: 0,
      });
    });

    it("warns when two tables share one state directory", async () => {
      await sync([ban("192.0.2.1")]);
      const other = { ...DEFAULT_NFT, table: "mailauth_fwd", hook: "forward" as const };
      const outcome = await sync([ban("192.0.2.1")], [], { nft: other });
      expect(outcome.warnings).toEqual([
        `${stateDir} was last used by the sync of table inet mailauth: each table needs its own MAILAUTH_FIREWALL_STATE_DIR (lock, last-sync.json)`,
      ]);
      const own = mkdtempSync(join(tmpdir(), "mailauth-firewall-fwd-"));
      try {
        expect(await sync([ban("192.0.2.1")], [], { nft: other, dir: own })).toMatchObject({
          ok: true,
          warnings: [],
        });
        expect(readLastSync(own)?.table).toBe("inet mailauth_fwd");
        expect(readLastSync(stateDir)?.table).toBe("inet mailauth_fwd"); // the shared one, overwritten
      } finally {
        rmSync(own, { recursive: true, force: true });
      }
    });

    it("fails with the usual line, changing nothing, when the state directory cannot be written", async () => {
      const notADirectory = join(stateDir, "file");
      writeFileSync(notADirectory, "");
      const outcome = await sync([ban("192.0.2.1")], [], { dir: join(notADirectory, "state") });
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.reason).toMatch(
        /^cannot take the lock in \/.*\/file\/state, firewall left as it was: ENOTDIR/,
      );
      expect((await ns.nft(["list", "tables"])).stdout).toBe("");
    });

    it("tolerates an element whose timeout ran out between the apply and the read-back", async () => {
      const slow: NftRunner = async (args, stdin) => {
        const result = await ns.nft(args, stdin);
        if (args[0] === "-f") await new Promise((r) => setTimeout(r, 2500));
        return result;
      };
      let calls = 0;
      const clock = () => (calls++ === 0 ? now : new Date());
      const outcome = await sync([ban("192.0.2.1", inSeconds(1)), ban("198.51.100.7")], [], {
        run: slow,
        now: clock,
      });
      expect(outcome).toMatchObject({ ok: true, v4: 2 });
      expect(await held(4)).toEqual(["198.51.100.7"]);
    });

    it("syncs and verifies 100,000 elements", { timeout: 120_000 }, async () => {
      // Every other /32 of 10.0.0.0/8, so none merge; a third of them timed.
      const bans = Array.from({ length: 100_000 }, (_, i) => {
        const a = 0x0a000000 + i * 2;
        const ip = `10.${(a >> 16) & 255}.${(a >> 8) & 255}.${a & 255}`;
        return ban(ip, i % 3 === 0 ? inSeconds(3600 + i) : null);
      });
      const started = performance.now();
      const outcome = await sync(bans);
      expect(outcome).toMatchObject({ ok: true, v4: 100_000 });
      expect(outcome.ok && outcome.added).toHaveLength(100_000);
      expect(await held(4)).toHaveLength(100_000);
      const again = await sync(bans);
      expect(again).toMatchObject({ ok: true, added: [], removed: [] });
      console.info(
        `100,000 elements: first sync + second sync in ${Math.round(performance.now() - started)} ms`,
      );
    });
  },
);
