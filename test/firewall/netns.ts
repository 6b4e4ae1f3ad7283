import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { it } from "vitest";
import { type NftRunner, nftRunner } from "../../src/firewall/nft.js";

/**
 * Why the real-nft tests cannot run here, or null when they can: they need root, nft and ip.
 * Locally they are skipped with a visible warning; in CI (process.env.CI) they fail instead.
 */
export function nftUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "not running as root";
  for (const tool of [
    ["nft", "--version"],
    ["ip", "-V"],
  ] as const) {
    const result = spawnSync(tool[0], [tool[1]]);
    if (result.error || result.status !== 0) return `${tool[0]} is not installed`;
  }
  return null;
}

/** Registers the skip warning (locally) or a failing test (in CI); returns whether to run. */
export function requireNft(what: string): boolean {
  const missing = nftUnavailable();
  if (!missing) return true;
  if (process.env.CI) {
    it(`${what}: needs root, nft and ip in CI`, () => {
      throw new Error(`CI must run the nftables tests, but: ${missing}`);
    });
  } else {
    console.warn(`\n*** ${what} SKIPPED: ${missing} (run as root with nftables and iproute2) ***\n`);
  }
  return false;
}

export interface Namespace {
  name: string;
  /** nft inside the namespace. */
  nft: NftRunner;
  /** The command prefix for MAILAUTH_NFT_BINARY. */
  nftCommand: string[];
  /** Runs a command inside the namespace; throws on failure. */
  exec(command: string[]): string;
  remove(): void;
}

/** A fresh network namespace (loopback up), so tests never touch the host's firewall. */
export function createNamespace(label = "t"): Namespace {
  const name = `mailauth-test-${label}-${randomBytes(4).toString("hex")}`;
  execFileSync("ip", ["netns", "add", name]);
  const exec = (command: string[]) =>
    execFileSync("ip", ["netns", "exec", name, ...command], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  exec(["ip", "link", "set", "lo", "up"]);
  const nftCommand = ["ip", "netns", "exec", name, "nft"];
  return {
    name,
    nft: nftRunner(nftCommand),
    nftCommand,
    exec,
    remove() {
      spawnSync("ip", ["netns", "delete", name]);
    },
  };
}
