import { networkInterfaces } from "node:os";

/**
 * The allowlist entries no operator can remove by mistake: loopback, every address of this host
 * (a server must never ban itself: Stalwart #661, mailcow #7232) and the configured trusted
 * networks (webmail, proxies that log users in from one address).
 */
export function builtinAllow(trustedNetworks: string[]): { network: string; reason: string }[] {
  const entries = [
    { network: "127.0.0.0/8", reason: "loopback" },
    { network: "::1/128", reason: "loopback" },
  ];
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (!address.internal) entries.push({ network: address.address.split("%")[0] ?? address.address, reason: `this host (${name})` });
    }
  }
  for (const network of trustedNetworks) entries.push({ network, reason: "MAILAUTH_TRUSTED_NETWORKS" });
  return entries;
}
