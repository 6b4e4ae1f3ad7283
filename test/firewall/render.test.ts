import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_NFT } from "../../src/firewall/config.js";
import { exportBlocklist } from "../../src/firewall/export.js";
import { ELEMENTS_PER_STATEMENT, MAX_TIMEOUT_SECONDS, renderScript } from "../../src/firewall/render.js";
import { TABLE_MARK } from "../../src/firewall/table.js";

const NOW = new Date("2026-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe("renderScript", () => {
  const exported = exportBlocklist(
    {
      bans: [
        { network: "192.0.2.0/24", expiresAt: at(3600) },
        { network: "198.51.100.7", expiresAt: null },
        { network: "2001:db8::/48", expiresAt: at(59.5) },
      ],
      allow: ["192.0.2.10"],
    },
    NOW,
  );

  it("updates only its own table: creates table and sets if missing, re-creates its chain, flushes its sets", () => {
    const script = renderScript(DEFAULT_NFT, exported, NOW);
    const statements = script.split("\n").filter((l) => /^[a-z]/.test(l));
    expect(statements).toEqual([
      `add table inet mailauth { comment "${TABLE_MARK}"; }`,
      "add set inet mailauth ban4 { type ipv4_addr; flags interval, timeout; }",
      "add set inet mailauth ban6 { type ipv6_addr; flags interval, timeout; }",
      "add chain inet mailauth input",
      "flush chain inet mailauth input",
      "delete chain inet mailauth input",
      "add chain inet mailauth input { type filter hook input priority -10; policy accept; }",
      "add rule inet mailauth input ip saddr @ban4 drop",
      "add rule inet mailauth input ip6 saddr @ban6 drop",
      "flush set inet mailauth ban4",
      "flush set inet mailauth ban6",
      "add element inet mailauth ban4 {",
      "add element inet mailauth ban6 {",
    ]);
    expect(script).not.toMatch(/flush ruleset/);
  });

  it("in replace mode, deletes its own table and declares it again with the same sets and chain", () => {
    const script = renderScript(DEFAULT_NFT, exported, NOW, "replace");
    expect(script.split("\n").filter((l) => /^[a-z]/.test(l))).toEqual([
      "add table inet mailauth",
      "delete table inet mailauth",
      "table inet mailauth {",
      "add element inet mailauth ban4 {",
      "add element inet mailauth ban6 {",
    ]);
    expect(script).toContain(`table inet mailauth {\n\tcomment "${TABLE_MARK}"\n`);
    expect(script).toContain("\tset ban4 {\n\t\ttype ipv4_addr\n\t\tflags interval, timeout\n\t}");
    expect(script).toContain("\tset ban6 {\n\t\ttype ipv6_addr\n\t\tflags interval, timeout\n\t}");
    expect(script).toContain(
      "\tchain input {\n\t\ttype filter hook input priority -10; policy accept;\n\t\tip saddr @ban4 drop\n\t\tip6 saddr @ban6 drop\n\t}",
    );
  });

  it("gives each element its remaining lifetime in whole seconds, and permanent ones none", () => {
    const script = renderScript(DEFAULT_NFT, exported, NOW);
    expect(script).toContain(
      "add element inet mailauth ban4 {\n\t192.0.2.0-192.0.2.9 timeout 3600s,\n\t192.0.2.11-192.0.2.255 timeout 3600s,\n\t198.51.100.7\n}",
    );
    expect(script).toContain("add element inet mailauth ban6 {\n\t2001:db8::/48 timeout 60s\n}");
  });

  it("caps timeouts at 23 days, which old kernels accept; the next sync renews them", () => {
    const long = exportBlocklist(
      { bans: [{ network: "192.0.2.1", expiresAt: at(90 * 86_400) }], allow: [] },
      NOW,
    );
    expect(renderScript(DEFAULT_NFT, long, NOW)).toContain(`192.0.2.1 timeout ${MAX_TIMEOUT_SECONDS}s`);
  });

  it("follows the configured table, chain, hook, priority, set names and ports", () => {
    const script = renderScript(
      {
        family: "inet",
        table: "edge",
        chain: "mail_guard",
        hook: "prerouting",
        priority: -300,
        set4: "blk4",
        set6: "blk6",
        ports: [25, 993],
      },
      exported,
      NOW,
    );
    expect(script).toContain(`add table inet edge { comment "${TABLE_MARK}"; }\nadd set inet edge blk4 {`);
    expect(script).toContain(
      "add chain inet edge mail_guard { type filter hook prerouting priority -300; policy accept; }",
    );
    expect(script).toContain(
      "add rule inet edge mail_guard ip saddr @blk4 tcp dport { 25, 993 } drop\nadd rule inet edge mail_guard ip6 saddr @blk6 tcp dport { 25, 993 } drop",
    );
    expect(script).toContain("add element inet edge blk4 {");
  });

  it("adds no elements to empty sets", () => {
    const script = renderScript(DEFAULT_NFT, { v4: [], v6: [], invalid: [] }, NOW);
    expect(script).not.toContain("add element");
  });

  it("splits big sets into statements of at most 10,000 elements", () => {
    const bans = Array.from({ length: 25_000 }, (_, i) => ({
      network: `10.${i >> 14}.${(i >> 6) & 255}.${(i & 63) * 4}`,
      expiresAt: null,
    }));
    const script = renderScript(DEFAULT_NFT, exportBlocklist({ bans, allow: [] }, NOW), NOW);
    expect(script.match(/^add element /gm)).toHaveLength(Math.ceil(25_000 / ELEMENTS_PER_STATEMENT));
  });

  it("renders in replace mode, for no bans, exactly the table shipped in examples/nftables/mailauth.nft", () => {
    const statements = (text: string) =>
      text
        .split("\n")
        .filter((line) => line.trim() !== "" && !line.trim().startsWith("#"))
        .join("\n");
    const example = readFileSync(new URL("../../examples/nftables/mailauth.nft", import.meta.url), "utf8");
    expect(statements(example)).toBe(
      statements(renderScript(DEFAULT_NFT, { v4: [], v6: [], invalid: [] }, NOW, "replace")),
    );
  });
});
