import { type Family, rangeToNft } from "./cidr.js";
import type { NftSettings } from "./config.js";
import { type FirewallExport, remainingSeconds } from "./export.js";
import type { Piece } from "./intervals.js";

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
 * The whole table as one `nft -f` script, applied by the kernel as one transaction: all of it or,
 * on any error, none of it. The table is first created if missing (so that deleting it cannot
 * fail), then deleted and declared again with its sets, chain and every element. Replacing the
 * whole table rather than flushing sets makes each run converge whatever was there before: a
 * changed hook, priority or port list, renamed sets, rules added by hand, elements the kernel
 * merged. No other table is touched. Packets see the old table or the new one, never a gap.
 */
export function renderScript(nft: NftSettings, exported: FirewallExport, now: Date): string {
  const table = `${nft.family} ${nft.table}`;
  const lines = [
    `# mailauth firewall export, ${now.toISOString()}: ${exported.v4.length} IPv4 and ${exported.v6.length} IPv6 elements.`,
    "# Apply with `nft -f FILE`: it replaces this table and only this table, atomically.",
    `add table ${table}`,
    `delete table ${table}`,
    `table ${table} {`,
    `\tset ${nft.set4} {`,
    "\t\ttype ipv4_addr",
    "\t\tflags interval, timeout",
    "\t}",
    `\tset ${nft.set6} {`,
    "\t\ttype ipv6_addr",
    "\t\tflags interval, timeout",
    "\t}",
    `\tchain ${nft.chain} {`,
    `\t\ttype filter hook ${nft.hook} priority ${nft.priority}; policy accept;`,
    ...renderRules(nft).map((rule) => `\t\t${rule}`),
    "\t}",
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
