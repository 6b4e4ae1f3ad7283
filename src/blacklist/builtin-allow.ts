import { type NetworkInterfaceInfo, networkInterfaces } from "node:os";

/** A network that can never be banned, and why. */
export interface BuiltinAllow {
  network: string;
  reason: string;
}

/**
 * The allowlist entries no operator can remove by mistake, used both when deciding and when
 * exporting to the firewall: loopback, every address of this host (a server must never ban
 * itself, nor a range holding its own address: Stalwart #661, mailcow #7232) and the configured
 * trusted networks (webmail, proxies that log many users in from one address). IPv6 link-local
 * addresses never reach a ban and are left out.
 */
export function builtinAllow(
  trustedNetworks: string[],
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): BuiltinAllow[] {
  const entries: BuiltinAllow[] = [
    { network: "127.0.0.0/8", reason: "loopback" },
    { network: "::1/128", reason: "loopback" },
  ];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal || (info.family === "IPv6" && /^fe80:/i.test(info.address))) continue;
      entries.push({ network: info.address.split("%")[0] ?? info.address, reason: `this host (${name})` });
    }
  }
  for (const network of trustedNetworks) entries.push({ network, reason: "MAILAUTH_TRUSTED_NETWORKS" });
  return entries;
}
