import type { NftSettings } from "./config.js";
import { type NftRunner, nftError } from "./nft.js";

/**
 * The comment that marks a table as mailauth's (nft 1.0.6 keeps a table comment, but only when
 * the table is created: `add table` on an existing one leaves its comment as it was). A table of
 * our name without it is somebody else's, and a sync never changes it.
 */
export const TABLE_MARK = "mailauth blacklist, kept by mailauth firewall sync: do not edit";

/**
 * What the kernel has under the configured table name, read without the sets' elements:
 * - missing: nothing, the sync creates it;
 * - ours: marked; `handles` names this incarnation of the table and its sets (a table deleted
 *   and created again, by a reboot or `systemctl reload nftables`, gets new ones);
 * - unmarked: made by mailauth before tables were marked (exactly our chain and our two sets,
 *   nothing else), to be re-created marked;
 * - foreign: anything else; `reason` says why it is not ours and what to do.
 */
export type TableState =
  | { kind: "missing" }
  | { kind: "ours" | "unmarked"; handles: string }
  | { kind: "foreign" | "error"; reason: string };

/**
 * Reads the table with `nft -a -t list table`: its comment and handles, without the sets'
 * elements. A marked table needs nothing more. Only an unmarked one is read again as JSON (its
 * chains, rules and sets) to tell a table of an earlier mailauth from someone else's. With nft
 * 1.0.6 each listing still makes nft fetch every element (about as long as listing the sets:
 * ~1 s per 100,000), so the common case is kept to one. Exported for `doctor`.
 */
export async function inspectTable(run: NftRunner, nft: NftSettings): Promise<TableState> {
  const name = `${nft.family} ${nft.table}`;
  const text = await run(["-a", "-t", "list", "table", nft.family, nft.table]);
  if (text.code !== 0) {
    if (/No such file or directory/.test(text.stderr)) return { kind: "missing" };
    return { kind: "error", reason: `nft list table ${name}: ${nftError(text)}` };
  }
  const comment = /^\tcomment "(.*)"$/m.exec(text.stdout)?.[1];
  if (comment === TABLE_MARK) return { kind: "ours", handles: handlesOfText(text.stdout, nft) };
  const json = await run(["-j", "-t", "list", "table", nft.family, nft.table]);
  if (json.code !== 0) return { kind: "error", reason: `nft -j list table ${name}: ${nftError(json)}` };
  let items: Item[];
  try {
    items = (JSON.parse(json.stdout) as { nftables?: Item[] }).nftables ?? [];
  } catch (error) {
    return { kind: "error", reason: `cannot read nft's JSON for table ${name}: ${(error as Error).message}` };
  }
  if (comment === undefined && isEarlierMailauthTable(items, nft)) {
    return { kind: "unmarked", handles: handlesOf(items, nft) };
  }
  return {
    kind: "foreign",
    reason:
      `table ${name} exists and is not mailauth's (it lacks mailauth's comment and holds more than ` +
      `chain ${nft.chain} and sets ${nft.set4}, ${nft.set6}); nothing was changed: set ` +
      "MAILAUTH_NFT_TABLE to a table of mailauth's own",
  };
}

type Item = Record<string, Record<string, unknown> | undefined>;

/** The same handles as handlesOf, from `nft -a` text: `table inet x { # handle 5`, `\tset s4 { # handle 2`. */
function handlesOfText(text: string, nft: NftSettings): string {
  const table = /^table \S+ \S+ \{ # handle (\d+)$/m.exec(text)?.[1] ?? "-";
  const set = (name: string) =>
    new RegExp(`^\\tset ${name} \\{ # handle (\\d+)$`, "m").exec(text)?.[1] ?? "-";
  return `${table}/${set(nft.set4)}/${set(nft.set6)}`;
}

function handlesOf(items: Item[], nft: NftSettings): string {
  const handle = (kind: string, name: string) =>
    items.find((item) => item[kind]?.name === name)?.[kind]?.handle ?? "-";
  return `${handle("table", nft.table)}/${handle("set", nft.set4)}/${handle("set", nft.set6)}`;
}

/**
 * Whether the table is what earlier versions of the sync (and of examples/nftables/mailauth.nft)
 * made: both our sets with their address types, our chain, its rules each dropping one of our
 * sets, and nothing else. A table anyone built for another purpose holds something more (another
 * chain, an accept, a different set) and is left alone.
 */
function isEarlierMailauthTable(items: Item[], nft: NftSettings): boolean {
  let sets = 0;
  let chains = 0;
  for (const item of items) {
    const [kind, body] = Object.entries(item)[0] ?? [];
    if (kind === "metainfo" || kind === "table") continue;
    if (kind === "set" && body?.name === nft.set4 && body.type === "ipv4_addr") sets++;
    else if (kind === "set" && body?.name === nft.set6 && body.type === "ipv6_addr") sets++;
    else if (kind === "chain" && body?.name === nft.chain) chains++;
    else if (kind === "rule" && body?.chain === nft.chain && dropsOurSet(body.expr, nft)) continue;
    else return false;
  }
  return sets === 2 && chains === 1;
}

function dropsOurSet(expr: unknown, nft: NftSettings): boolean {
  if (!Array.isArray(expr)) return false;
  const text = JSON.stringify(expr);
  const last = expr[expr.length - 1] as Record<string, unknown> | undefined;
  return (
    last !== undefined &&
    "drop" in last &&
    (text.includes(`"@${nft.set4}"`) || text.includes(`"@${nft.set6}"`)) &&
    !/"(accept|jump|goto|return|queue)"/.test(text)
  );
}
