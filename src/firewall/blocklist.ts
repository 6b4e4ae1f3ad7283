/**
 * What the firewall export is computed from: plain values, so the rendering and the sync do not
 * depend on how or where bans are stored (database, HTTP export, a test literal).
 */
export interface BlockEntry {
  /** A CIDR or a bare IP, IPv4 or IPv6 (IPv4-mapped IPv6 counts as IPv4). */
  network: string;
  /** null: permanent. */
  expiresAt: Date | null;
}

export interface Blocklist {
  bans: BlockEntry[];
  /** CIDRs that must never be blocked; they are carved out of every ban. */
  allow: string[];
}
