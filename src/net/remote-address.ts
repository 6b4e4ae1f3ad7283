import { isIPv4, isIPv6 } from "node:net";

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

/** Canonical text of an IP (lowercase, mapped IPv4 unwrapped, zone dropped), or null. */
export function normalizeIp(raw: string): string | null {
  const host = raw.split("%")[0] ?? "";
  if (isIPv4(host)) return host;
  if (!isIPv6(host)) return null;
  // The WHATWG URL parser prints IPv6 in its canonical compressed form (RFC 5952).
  const canonical = new URL(`http://[${host}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped?.[1] && mapped[2]) {
    const high = Number.parseInt(mapped[1], 16);
    const low = Number.parseInt(mapped[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return canonical;
}
