import { createHash } from 'node:crypto';

/**
 * `rounds` times `block = MD5(block || tail)`, the key derivation of JCEKS's
 * PBEWithMD5AndTripleDES. A JCEKS key takes 2 x 200,000 rounds by the JDK's default, and a file
 * may ask for millions: one createHash per round costs about 3.5 us, so the rounds after the first
 * (a 16-byte digest and the password: one 64-byte MD5 block) run here on 32-bit words instead,
 * with the digest fed back as the first four message words, allocating nothing.
 */
export function iteratedMd5(first: Uint8Array, tail: Uint8Array, rounds: number): Uint8Array {
  let block = new Uint8Array(createHash('md5').update(first).update(tail).digest());
  if (rounds <= 1) return block;
  if (16 + tail.length > 55) {
    // a password over 39 characters needs two blocks a round: the rare case keeps createHash
    for (let i = 1; i < rounds; i++) block = new Uint8Array(createHash('md5').update(block).update(tail).digest());
    return block;
  }
  const message = new Uint8Array(64);
  message.set(tail, 16);
  message[16 + tail.length] = 0x80;
  const bits = (16 + tail.length) * 8;
  message[56] = bits & 0xff;
  message[57] = bits >>> 8;
  const x = new Int32Array(16);
  const view = new DataView(message.buffer);
  for (let i = 4; i < 16; i++) x[i] = view.getInt32(i * 4, true);
  const digest = new DataView(block.buffer, block.byteOffset, 16);
  for (let i = 0; i < 4; i++) x[i] = digest.getInt32(i * 4, true);
  for (let i = 1; i < rounds; i++) compress(x);
  const out = new Uint8Array(16);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) outView.setInt32(i * 4, x[i]!, true);
  return out;
}

const S = Uint8Array.of(7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21);
// RFC 1321: K[i] = floor(2^32 * abs(sin(i + 1)))
const K = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
const G = Uint8Array.from({ length: 64 }, (_, i) => (i < 16 ? i : i < 32 ? (5 * i + 1) & 15 : i < 48 ? (3 * i + 5) & 15 : (7 * i) & 15));
const A0 = 0x67452301;
const B0 = 0xefcdab89 | 0;
const C0 = 0x98badcfe | 0;
const D0 = 0x10325476;

/** One MD5 compression of the block x from the initial state; the digest replaces x[0..3]. */
function compress(x: Int32Array): void {
  let a = A0;
  let b = B0;
  let c = C0;
  let d = D0;
  for (let i = 0; i < 64; i++) {
    const f = i < 16 ? (b & c) | (~b & d) : i < 32 ? (d & b) | (~d & c) : i < 48 ? b ^ c ^ d : c ^ (b | ~d);
    const sum = (a + f + K[i]! + x[G[i]!]!) | 0;
    const s = S[i]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
  }
  x[0] = (a + A0) | 0;
  x[1] = (b + B0) | 0;
  x[2] = (c + C0) | 0;
  x[3] = (d + D0) | 0;
}
