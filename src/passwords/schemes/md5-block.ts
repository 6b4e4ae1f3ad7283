// MD5's compression function, needed because CRAM-MD5 stores HMAC-MD5's intermediate states
// (the digest state after one block), which node:crypto does not expose.

const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
// RFC 1321's table: floor(abs(sin(i + 1)) * 2^32).
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

/** MD5's initial state (A, B, C, D). */
export const MD5_IV: readonly number[] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

/** Runs one 64-byte block through MD5's compression function and returns the new state. */
export function md5Block(state: readonly number[], block: Uint8Array): number[] {
  const words = Array.from(
    { length: 16 },
    (_, j) =>
      ((block[j * 4] ?? 0) |
        ((block[j * 4 + 1] ?? 0) << 8) |
        ((block[j * 4 + 2] ?? 0) << 16) |
        ((block[j * 4 + 3] ?? 0) << 24)) >>>
      0,
  );
  const [a0 = 0, b0 = 0, c0 = 0, d0 = 0] = state;
  let [a, b, c, d] = [a0, b0, c0, d0];
  for (let i = 0; i < 64; i++) {
    const round = i >> 4;
    let f: number;
    let g: number;
    if (round === 0) [f, g] = [(b & c) | (~b & d), i];
    else if (round === 1) [f, g] = [(d & b) | (~d & c), (5 * i + 1) % 16];
    else if (round === 2) [f, g] = [b ^ c ^ d, (3 * i + 5) % 16];
    else [f, g] = [c ^ (b | ~d), (7 * i) % 16];
    const sum = (f + a + (K[i] ?? 0) + (words[g] ?? 0)) >>> 0;
    const shift = SHIFTS[round * 4 + (i % 4)] ?? 0;
    [a, d, c] = [d, c, b];
    b = (b + ((sum << shift) | (sum >>> (32 - shift)))) >>> 0;
  }
  return [(a0 + a) >>> 0, (b0 + b) >>> 0, (c0 + c) >>> 0, (d0 + d) >>> 0];
}
