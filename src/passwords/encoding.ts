/** How Dovecot stores a scheme's data: as is, base64 or hex. */
export type DataEncoding = "none" | "base64" | "hex";

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
// Padding optional: Dovecot writes it, hand-made rows often drop it.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict hex decoding: null unless every character is a hex digit and the length is even. */
export function decodeHex(text: string): Buffer | null {
  return HEX.test(text) ? Buffer.from(text, "hex") : null;
}

/** Strict base64 decoding (Node's own decoder silently skips garbage, which would hide bad rows). */
export function decodeBase64(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const unpadded = text.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) return null;
  if (text.length !== unpadded.length && text.length % 4 !== 0) return null;
  return Buffer.from(unpadded, "base64");
}

/**
 * Decodes a scheme's data the way Dovecot's password_decode() does: an explicit `.HEX`/`.B64`
 * suffix wins; for fixed-length digests without a suffix the encoding is guessed (hex when the
 * text is exactly twice the digest length, else base64); other schemes use their default.
 */
export function decodeSchemeData(
  text: string,
  defaultEncoding: DataEncoding,
  explicit: DataEncoding | null,
  rawLength: number | undefined,
): { ok: true; raw: Buffer } | { ok: false; reason: string } {
  let encoding = explicit ?? defaultEncoding;
  const guessed = explicit === null && defaultEncoding !== "none" && rawLength !== undefined;
  if (guessed) encoding = text.length === rawLength * 2 ? "hex" : "base64";

  let raw: Buffer | null;
  if (encoding === "none") raw = Buffer.from(text, "utf8");
  else if (encoding === "hex") raw = decodeHex(text) ?? (guessed ? decodeBase64(text) : null);
  else raw = decodeBase64(text);

  if (raw === null) {
    return { ok: false, reason: `data is not valid ${encoding === "hex" ? "hex" : "base64"}` };
  }
  if (rawLength !== undefined && raw.length !== rawLength) {
    return { ok: false, reason: `digest is ${raw.length} bytes instead of ${rawLength}` };
  }
  return { ok: true, raw };
}
