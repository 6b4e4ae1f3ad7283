import { join } from "node:path";
import { EnvReader } from "../config/env-reader.js";
import { NFT_KEYWORDS } from "./names.js";

/** Where the blacklist lives in nftables and what it guards. */
export interface NftSettings {
  /** inet sees IPv4 and IPv6 in one chain; bridge is the same for bridged (layer 2) hosts. */
  family: "inet" | "bridge";
  table: string;
  chain: string;
  /** input: this host; forward: routed traffic (containers, VMs); prerouting: both, earliest. */
  hook: "input" | "forward" | "prerouting";
  priority: number;
  set4: string;
  set6: string;
  /** TCP destination ports to guard; empty: all traffic from a banned address is dropped. */
  ports: number[];
}

export interface FirewallSettings {
  /** Bearer token of the /firewall/* exports; null: they answer 401 to everyone. */
  token: string | null;
  nft: NftSettings;
  /** The nft command and any prefix (e.g. ip netns exec NS nft), split on spaces. */
  command: string[];
  /** Holds the sync lock and the last good sync (read by metrics). */
  stateDir: string;
}

/** IMAP, POP3, SMTP, submission(s), ManageSieve: MAILAUTH_NFT_PORTS=mail. */
export const MAIL_PORTS: readonly number[] = [25, 465, 587, 110, 995, 143, 993, 4190];

export const DEFAULT_NFT: NftSettings = {
  family: "inet",
  table: "mailauth",
  chain: "input",
  hook: "input",
  priority: -10,
  set4: "ban4",
  set6: "ban6",
  ports: [],
};

export type FirewallSettingsResult =
  | { ok: true; settings: FirewallSettings }
  | { ok: false; errors: string[] };

// nft identifiers; kernels before 4.x keep set names to 15 characters (16 with the NUL), and
// tables and chains to 31.
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads MAILAUTH_FIREWALL_* and MAILAUTH_NFT_* from an env object; every error names its setting. */
export function firewallSettingsFromEnv(
  env: Record<string, string | undefined>,
  dataDir: string,
): FirewallSettingsResult {
  const read = new EnvReader(env);
  const { errors } = read;
  const raw = read.raw.bind(read);
  const name = (setting: string, fallback: string, max: number) => {
    const value = raw(setting) ?? fallback;
    if (!NAME.test(value) || value.length > max) {
      errors.push(
        `${setting} must be a name of letters, digits and _ of at most ${max} characters, got "${value}"`,
      );
    } else if (NFT_KEYWORDS.has(value)) {
      errors.push(`${setting} cannot be "${value}": nft reads it as a keyword; choose another name`);
    } else return value;
    return fallback;
  };
  const oneOf = read.oneOf.bind(read);

  const token = raw("MAILAUTH_FIREWALL_TOKEN") ?? null;
  if (token !== null && token.length < 16)
    errors.push("MAILAUTH_FIREWALL_TOKEN must be at least 16 characters");

  const priorityText = raw("MAILAUTH_NFT_PRIORITY") ?? String(DEFAULT_NFT.priority);
  let priority = Number(priorityText);
  if (!/^-?\d+$/.test(priorityText) || Math.abs(priority) > 1000) {
    errors.push(`MAILAUTH_NFT_PRIORITY must be a whole number from -1000 to 1000, got "${priorityText}"`);
    priority = DEFAULT_NFT.priority;
  }

  const nft: NftSettings = {
    family: oneOf("MAILAUTH_NFT_FAMILY", ["inet", "bridge"] as const, DEFAULT_NFT.family),
    table: name("MAILAUTH_NFT_TABLE", DEFAULT_NFT.table, 31),
    chain: name("MAILAUTH_NFT_CHAIN", DEFAULT_NFT.chain, 31),
    hook: oneOf("MAILAUTH_NFT_HOOK", ["input", "forward", "prerouting"] as const, DEFAULT_NFT.hook),
    priority,
    set4: name("MAILAUTH_NFT_SET4", DEFAULT_NFT.set4, 15),
    set6: name("MAILAUTH_NFT_SET6", DEFAULT_NFT.set6, 15),
    ports: ports(raw("MAILAUTH_NFT_PORTS"), errors),
  };
  if (nft.set4 === nft.set6) errors.push("MAILAUTH_NFT_SET4 and MAILAUTH_NFT_SET6 must differ");

  const command = (raw("MAILAUTH_NFT_BINARY") ?? "nft").split(/\s+/);
  const stateDir = raw("MAILAUTH_FIREWALL_STATE_DIR") ?? join(dataDir, "firewall");
  if (!stateDir.startsWith("/"))
    errors.push(`MAILAUTH_FIREWALL_STATE_DIR must be an absolute path, got "${stateDir}"`);

  return errors.length > 0
    ? { ok: false, errors }
    : { ok: true, settings: { token, nft, command, stateDir } };
}

function ports(value: string | undefined, errors: string[]): number[] {
  if (value === undefined || value === "all") return [];
  if (value === "mail") return [...MAIL_PORTS];
  const list = value.split(/[\s,]+/).filter((p) => p !== "");
  if (list.every((p) => /^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535)) {
    return [...new Set(list.map(Number))].sort((a, b) => a - b);
  }
  errors.push(
    `MAILAUTH_NFT_PORTS must be empty or "all", "mail", or a list of TCP ports like 25,465,587, got "${value}"`,
  );
  return [];
}
