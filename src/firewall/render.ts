import { type Family, rangeToNft } from "./cidr.js";
import type { NftSettings } from "./config.js";
import { type FirewallExport, remainingSeconds } from "./export.js";
import type { Piece } from "./intervals.js";
import { TABLE_MARK } from "./table.js";

/**
 * The longest timeout given to the kernel. Kernels before 4.19 refuse timeouts over about 23 days
 * ("netfilter: nf_tables: support timeouts larger than 23 days"); a longer ban is simply renewed
 * by every sync, and still decays if the sync stops.
 */
export const MAX_TIMEOUT_SECONDS = 23 * 86_400;

/** Elements per `add element` statement: keeps nft's parser memory flat on huge sets. */
export const ELEMENTS_PER_STATEMENT = 10_000;

/** The timeout the kernel gets for a piece at `now`, or null for a permanent element. */
export function nftTimeout(piece: Piece, now: Date): number | null {
  const left = remainingSeconds(piece, now);
  return left === null ? null : Math.min(left, MAX_TIMEOUT_SECONDS);
}

/** One set element: "192.0.2.0/24 timeout 3600s", "2001:db8::1-2001:db8::9", "198.51.100.7". */
export function renderElement(family: Family, piece: Piece, now: Date): string {
  const timeout = nftTimeout(piece, now);
  const element = rangeToNft({ family, start: piece.start, end: piece.end });
  return timeout === null ? element : `${element} timeout ${timeout}s`;
}

/** The rule(s) of the chain: drop banned sources, on the guarded ports only when some are set. */
export function renderRules(nft: NftSettings): string[] {
  const ports = nft.ports.length === 0 ? "" : `tcp dport { ${nft.ports.join(", ")} } `;
  return [`ip saddr @${nft.set4} ${ports}drop`, `ip6 saddr @${nft.set6} ${ports}drop`];
}

/**
 * How the script brings the table into shape, both in one `nft -f` transaction (all of it, or on
 * any error none of it; packets see the old state or the new one, never a gap):
 * - "update": create the table (marked as mailauth's by its comment) and sets if missing, re-create the chain (so a changed hook,
 *   priority or port list takes effect, and rules are never duplicated), flush both sets, add
 *   every element. Fast: nft 1.0.6 does not read the existing elements back, which it does for
 *   the next mode (seconds at 100,000 elements, minutes at 1,000,000).
 * - "replace": delete the table and declare it again. Converges from anything, such as a set of
 *   the same name with other flags; the sync falls back to it when nft refuses "update", and
 *   uses it to mark a table an earlier version made. It re-creates the table marked.
 * No other table is touched, and `flush ruleset` is never used. The sync applies either only to a
 * table that is missing or mailauth's (`inspectTable`); someone running the script by hand must
 * check that themselves.
 */
export type ScriptMode = "update" | "replace";

/** The nft script that makes the kernel hold exactly `exported`, with remaining lifetimes at `now`. */
export function renderScript(
  nft: NftSettings,
  exported: FirewallExport,
  now: Date,
  mode: ScriptMode = "update",
): string {
  const table = `${nft.family} ${nft.table}`;
  const chainSpec = `type filter hook ${nft.hook} priority ${nft.priority}; policy accept;`;
  const setSpec = (type: string) => `type ${type}; flags interval, timeout;`;
  const header = [
    `# mailauth firewall export, ${now.toISOString()}: ${exported.v4.length} IPv4 and ${exported.v6.length} IPv6 elements.`,
    "# Apply with `nft -f FILE`: one transaction that touches this table only, which must be",
    "# mailauth's own: its chain and sets are replaced.",
  ];
  const lines =
    mode === "update"
      ? [
          ...header,
          `add table ${table} { comment "${TABLE_MARK}"; }`,
          `add set ${table} ${nft.set4} { ${setSpec("ipv4_addr")} }`,
          `add set ${table} ${nft.set6} { ${setSpec("ipv6_addr")} }`,
          // Created first when missing, so that flushing and deleting it cannot fail.
          `add chain ${table} ${nft.chain}`,
          `flush chain ${table} ${nft.chain}`,
          `delete chain ${table} ${nft.chain}`,
          `add chain ${table} ${nft.chain} { ${chainSpec} }`,
          ...renderRules(nft).map((rule) => `add rule ${table} ${nft.chain} ${rule}`),
          `flush set ${table} ${nft.set4}`,
          `flush set ${table} ${nft.set6}`,
        ]
      : [
          ...header,
          // Created first when missing, so that deleting it cannot fail.
          `add table ${table}`,
          `delete table ${table}`,
          `table ${table} {`,
          `	comment "${TABLE_MARK}"`,
          `	set ${nft.set4} {`,
          "		type ipv4_addr",
          "		flags interval, timeout",
          "	}",
          `	set ${nft.set6} {`,
          "		type ipv6_addr",
          "		flags interval, timeout",
          "	}",
          `	chain ${nft.chain} {`,
          `		${chainSpec}`,
          ...renderRules(nft).map((rule) => `		${rule}`),
          "	}",
          "}",
        ];
  for (const [family, set, pieces] of [
    [4, nft.set4, exported.v4],
    [6, nft.set6, exported.v6],
  ] as const) {
    for (let i = 0; i < pieces.length; i += ELEMENTS_PER_STATEMENT) {
      const chunk = pieces.slice(i, i + ELEMENTS_PER_STATEMENT).map((p) => renderElement(family, p, now));
      lines.push(`add element ${table} ${set} {`, `\t${chunk.join(",\n\t")}`, "}");
    }
  }
  return `${lines.join("\n")}\n`;
}
