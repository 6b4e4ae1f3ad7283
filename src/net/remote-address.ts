import { formatIpWords, parseIpWords } from "./cidr.js";

/**
 * The client IP from Dovecot's `X-Dovecot-Auth-Remote` (`ip:port`, `[v6]:port`, or a bare IP).
 * IPv4-mapped IPv6 is unwrapped so one client has one address; the port is ignored.
 * Null when the header is absent or is not an address.
 */
export function parseRemoteAddress(header: string | undefined | null): string | null {
  if (!header) return null;
  const value = header.trim();
  if (value.length > 64) return null;
  let host = value;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed?.[1]) host = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(value)) host = value.slice(0, value.lastIndexOf(":"));
  return normalizeIp(host);
}

/** Canonical text of an IP (lowercase RFC 5952, mapped IPv4 unwrapped, zone dropped), or null. */
export function normalizeIp(raw: string): string | null {
  const words = parseIpWords(raw);
  return words ? formatIpWords(words) : null;
}
