import { type DataEncoding, decodeSchemeData } from "./encoding.js";
import type { Scheme } from "./scheme.js";
import { lookupScheme } from "./scheme-table.js";

/** A stored hash split into its scheme and decoded data. */
export interface StoredHash {
  scheme: Scheme;
  raw: Buffer;
}

export type ParseResult = ({ ok: true } & StoredHash) | { ok: false; reason: string };

const SUFFIXES: Record<string, DataEncoding> = { B64: "base64", BASE64: "base64", HEX: "hex" };

// Without a {SCHEME} prefix only crypt-style hashes are read (bcrypt, SHA-crypt, MD5-crypt,
// yescrypt to say it is not supported, 13-character DES as a passwd-file holds it, since CRYPT is
// that file's default scheme in Dovecot) and argon2; anything else could be cleartext or a digest
// in an unknown encoding.
const BARE_CRYPT = /^(?:\$(?:2[abxy]|[156]|y)\$|[./0-9A-Za-z]{13}$)/;
const BARE_ARGON2 = /^\$argon2/;

/** Splits "{SCHEME[.B64|.HEX]}data" the way Dovecot does; never echoes the data in a reason. */
export function parseStoredHash(stored: string): ParseResult {
  if (!stored.startsWith("{")) return parseBare(stored);
  const end = stored.indexOf("}");
  if (end < 0) return { ok: false, reason: "malformed {SCHEME} prefix" };

  const [name = "", suffix, ...rest] = stored.slice(1, end).split(".");
  const encoding = suffix === undefined ? null : SUFFIXES[suffix.toUpperCase()];
  if (encoding === undefined || rest.length > 0) return { ok: false, reason: "unknown encoding suffix" };

  const scheme = lookupScheme(name);
  if (typeof scheme === "string") return { ok: false, reason: scheme };

  const decoded = decodeSchemeData(stored.slice(end + 1), scheme.encoding, encoding, scheme.rawLength);
  if (!decoded.ok) return { ok: false, reason: `${scheme.name}: ${decoded.reason}` };
  return { ok: true, scheme, raw: decoded.raw };
}

function parseBare(stored: string): ParseResult {
  const scheme = BARE_CRYPT.test(stored) ? "CRYPT" : BARE_ARGON2.test(stored) ? "ARGON2ID" : null;
  if (scheme === null) return { ok: false, reason: "no {SCHEME} prefix" };
  const found = lookupScheme(scheme);
  if (typeof found === "string") return { ok: false, reason: found };
  return { ok: true, scheme: found, raw: Buffer.from(stored, "latin1") };
}
