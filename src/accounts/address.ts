/** A mail address split the way Dovecot's %u, %n and %d split it. */
export interface Address {
  email: string;
  local: string;
  domain: string;
}

// RFC 5321 limits; anything longer is not a login any client sends.
const MAX_LOCAL = 64;
const MAX_ADDRESS = 254;
const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Printable ASCII without the characters Dovecot or a passwd-file give meaning to.
const LOCAL = /^[a-z0-9!#$&'*+\-/=?^_`{|}~.]+$/;

/** Lowercases and validates an address; a reason instead of an exception when it is not one. */
export function parseAddress(raw: string): { ok: true; address: Address } | { ok: false; reason: string } {
  const email = raw.trim().toLowerCase();
  const at = email.lastIndexOf("@");
  if (at <= 0 || at === email.length - 1)
    return { ok: false, reason: "is not an address of the form local@domain" };
  if (email.length > MAX_ADDRESS) return { ok: false, reason: `is longer than ${MAX_ADDRESS} characters` };
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > MAX_LOCAL)
    return { ok: false, reason: `has a local part longer than ${MAX_LOCAL} characters` };
  if (!LOCAL.test(local)) return { ok: false, reason: "has characters not allowed in the local part" };
  if (!DOMAIN.test(domain)) return { ok: false, reason: "has an invalid domain name" };
  return { ok: true, address: { email, local, domain } };
}

/** Validates a bare domain name (lowercased). */
export function parseDomain(raw: string): { ok: true; domain: string } | { ok: false; reason: string } {
  const domain = raw.trim().toLowerCase();
  return DOMAIN.test(domain) ? { ok: true, domain } : { ok: false, reason: "is not a valid domain name" };
}
