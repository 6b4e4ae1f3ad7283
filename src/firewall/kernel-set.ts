import { type Family, parseNetwork } from "./cidr.js";
import type { NftSettings } from "./config.js";
import { type NftRunner, nftError } from "./nft.js";

/** An element as the kernel holds it; timeout and expires in seconds, null when permanent. */
export interface KernelElement {
  start: bigint;
  end: bigint;
  timeout: number | null;
  expires: number | null;
}

export type SetListing = { ok: true; elements: KernelElement[] } | { ok: false; reason: string };

/** Reads a set with `nft -j list set`; a missing table or set reads as empty (first sync). */
export async function listSet(run: NftRunner, nft: NftSettings, family: Family): Promise<SetListing> {
  const set = family === 4 ? nft.set4 : nft.set6;
  const result = await run(["-j", "list", "set", nft.family, nft.table, set]);
  if (result.code !== 0) {
    if (/No such file or directory/.test(result.stderr)) return { ok: true, elements: [] };
    return { ok: false, reason: `nft list set ${nft.family} ${nft.table} ${set}: ${nftError(result)}` };
  }
  try {
    return { ok: true, elements: parseSetJson(result.stdout, family) };
  } catch (error) {
    return { ok: false, reason: `cannot read nft's JSON for set ${set}: ${(error as Error).message}` };
  }
}

/**
 * Parses `nft -j list set` output. An element is a string (one address), {prefix: {addr, len}},
 * {range: [from, to]}, or any of these wrapped as {elem: {val, timeout, expires}}.
 */
export function parseSetJson(json: string, family: Family): KernelElement[] {
  const doc = JSON.parse(json) as { nftables?: Array<{ set?: { elem?: unknown[] } }> };
  const set = doc.nftables?.find((item) => item.set)?.set;
  if (!set) throw new Error("no set in the output");
  return (set.elem ?? []).map((raw) => parseElement(raw, family));
}

function parseElement(raw: unknown, family: Family): KernelElement {
  let value = raw;
  let timeout: number | null = null;
  let expires: number | null = null;
  if (isObject(value) && isObject(value.elem)) {
    const elem = value.elem;
    timeout = typeof elem.timeout === "number" ? elem.timeout : null;
    expires = typeof elem.expires === "number" ? elem.expires : null;
    value = elem.val;
  }
  let text: [string, string];
  if (typeof value === "string") text = [value, value];
  else if (isObject(value) && isObject(value.prefix)) text = [`${value.prefix.addr}/${value.prefix.len}`, ""];
  else if (isObject(value) && Array.isArray(value.range))
    text = [String(value.range[0]), String(value.range[1])];
  else throw new Error(`unexpected element ${JSON.stringify(raw)}`);
  const first = parseNetwork(text[0]);
  const last = text[1] === "" ? first : parseNetwork(text[1]);
  if (!first || !last || first.family !== family || last.family !== family) {
    throw new Error(`unexpected element ${JSON.stringify(raw)}`);
  }
  return { start: first.start, end: last.end, timeout, expires };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
