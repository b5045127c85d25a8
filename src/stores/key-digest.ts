/**
 * The 128-bit digest the memory store keeps instead of a key: the first 16 bytes of SHA-256 over
 * the key's UTF-16 code units (little-endian, so every distinct string, lone surrogates included,
 * hashes distinct bytes).
 *
 * Why SHA-256 and not a faster non-cryptographic hash: whoever holds a webhook key chooses order
 * ids, so they choose store keys. With a non-cryptographic hash they could craft two ids with the
 * same digest and make one order's release delete another order's claim (a second message). For a
 * 128-bit prefix of SHA-256 no shortcut is known: a collision takes about 2^64 hashes to find, and
 * the chance of an accidental one among the 2,000,000 entries of a full default store is about
 * 2^-87. It is computed in plain JavaScript, synchronously (a claim must check and set without an
 * `await` in between) and the same on every runtime; a key of 50 characters takes a few
 * microseconds.
 */

/** Digest words per key: 4 × 32 bits. */
export const DIGEST_WORDS = 4;

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Message schedule, reused by every call (the store is single-threaded). */
const W = new Uint32Array(64);

/**
 * Writes the first 128 bits of SHA-256(UTF-16LE bytes of `key`) into `out[0..3]` as big-endian
 * words (`out[0]` holds digest bytes 0–3).
 *
 * @param key - Any string.
 * @param out - At least {@link DIGEST_WORDS} words; overwritten.
 */
export function keyDigest(key: string, out: Uint32Array): void {
  const units = key.length;
  const byteLength = units * 2;
  // Message bytes, then 0x80, zeros, and the bit length in the last 8 bytes of the last block.
  const blocks = Math.floor((byteLength + 8) / 64) + 1;
  let h0 = 0x6a09e667;
  let h1 = 0xbb67ae85;
  let h2 = 0x3c6ef372;
  let h3 = 0xa54ff53a;
  let h4 = 0x510e527f;
  let h5 = 0x9b05688c;
  let h6 = 0x1f83d9ab;
  let h7 = 0x5be0cd19;
  for (let block = 0; block < blocks; block++) {
    // Each word is two code units, each as its two little-endian bytes; the unit after the key is
    // the 0x80 terminator byte (a virtual unit 0x0080), every later one is zero padding.
    for (let t = 0, u = block * 32; t < 16; t++, u += 2) {
      const hi = u < units ? key.charCodeAt(u) : u === units ? 0x80 : 0;
      const lo = u + 1 < units ? key.charCodeAt(u + 1) : u + 1 === units ? 0x80 : 0;
      W[t] = (((hi & 0xff) << 24) | ((hi >>> 8) << 16) | ((lo & 0xff) << 8) | (lo >>> 8)) >>> 0;
    }
    if (block === blocks - 1) {
      const bits = byteLength * 8;
      W[14] = Math.floor(bits / 0x100000000);
      W[15] = bits >>> 0;
    }
    for (let t = 16; t < 64; t++) {
      const a = W[t - 15] as number;
      const b = W[t - 2] as number;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      W[t] = (W[t - 16] as number) + s0 + (W[t - 7] as number) + s1;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let t = 0; t < 64; t++) {
      const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + s1 + ch + (K[t] as number) + (W[t] as number)) | 0;
      const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  out[0] = h0;
  out[1] = h1;
  out[2] = h2;
  out[3] = h3;
}

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}
