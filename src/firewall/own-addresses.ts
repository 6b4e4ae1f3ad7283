import { type NetworkInterfaceInfo, networkInterfaces } from "node:os";

/**
 * The host's own addresses, so a ban on a range never cuts the host off from itself (a /16 ban
 * containing the server's own address). Link-local IPv6 is left out: it never reaches a ban.
 */
export function ownAddresses(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  const out = new Set<string>();
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family === "IPv6" && /^fe80:/i.test(info.address)) continue;
      out.add(info.address.split("%")[0] as string);
    }
  }
  return [...out];
}
