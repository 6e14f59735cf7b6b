import { hash as oneShotHash } from 'node:crypto';

/**
 * `rounds` times `digest = H(digest)`: the inner loop of the PKCS#12 key derivation (RFC 7292
 * B.2), which a PKCS#12 MAC runs up to 5,000,000 times (the JDK's bound). A digest of SHA-1 or
 * SHA-256 is one message block, so those rounds run here on 32-bit words, with the digest fed back
 * as the message, allocating nothing: about three times the speed of a one-shot hash call per
 * round. Other hashes keep node:crypto.
 */
export function iteratedDigest(hash: string, first: Uint8Array, rounds: number): Uint8Array {
  if (rounds <= 0) return first;
  if (hash === 'sha256' && first.length === 32) return iterate(first, rounds, 8, sha256Round);
  if (hash === 'sha1' && first.length === 20) return iterate(first, rounds, 5, sha1Round);
  let digest: Uint8Array = first;
  for (let r = 0; r < rounds; r++) digest = oneShotHash(hash, digest, 'buffer');
  return new Uint8Array(digest);
}

function iterate(first: Uint8Array, rounds: number, words: number, round: (w: Int32Array) => void): Uint8Array {
  const w = new Int32Array(80);
  const view = new DataView(first.buffer, first.byteOffset, first.length);
  for (let i = 0; i < words; i++) w[i] = view.getInt32(i * 4);
  for (let r = 0; r < rounds; r++) {
    // the message block: the digest, the 0x80 byte, zeros, and the message length in bits
    w[words] = 0x80000000 | 0;
    for (let i = words + 1; i < 15; i++) w[i] = 0;
    w[15] = words * 32;
    round(w);
  }
  const out = new Uint8Array(words * 4);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < words; i++) outView.setInt32(i * 4, w[i]!);
  return out;
}

// FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes
const K256 = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
// FIPS 180-4 5.3.3: the initial hash value
const H256 = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** One SHA-256 of the block in w[0..15] from the initial value; the digest replaces w[0..7]. */
function sha256Round(w: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
  }
  let a = H256[0]!, b = H256[1]!, c = H256[2]!, d = H256[3]!, e = H256[4]!, f = H256[5]!, g = H256[6]!, h = H256[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K256[t]! + w[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  w[0] = (H256[0]! + a) | 0;
  w[1] = (H256[1]! + b) | 0;
  w[2] = (H256[2]! + c) | 0;
  w[3] = (H256[3]! + d) | 0;
  w[4] = (H256[4]! + e) | 0;
  w[5] = (H256[5]! + f) | 0;
  w[6] = (H256[6]! + g) | 0;
  w[7] = (H256[7]! + h) | 0;
}

// FIPS 180-4 5.3.1 and 4.2.1
const H1 = Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);

/** One SHA-1 of the block in w[0..15] from the initial value; the digest replaces w[0..4]. */
function sha1Round(w: Int32Array): void {
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = H1[0]!, b = H1[1]!, c = H1[2]!, d = H1[3]!, e = H1[4]!;
  for (let t = 0; t < 80; t++) {
    let f: number;
    let k: number;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  w[0] = (H1[0]! + a) | 0;
  w[1] = (H1[1]! + b) | 0;
  w[2] = (H1[2]! + c) | 0;
  w[3] = (H1[3]! + d) | 0;
  w[4] = (H1[4]! + e) | 0;
}
