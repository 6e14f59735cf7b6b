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

const A0 = 0x67452301;
const B0 = 0xefcdab89 | 0;
const C0 = 0x98badcfe | 0;
const D0 = 0x10325476;

/**
 * One MD5 compression of the block x from the initial state; the digest replaces x[0..3]. The 64
 * steps of RFC 1321 are written out (the registers rotating by name, the constants
 * floor(2^32 * abs(sin(i + 1))) inline): a loop over tables costs several times as much.
 */
function compress(x: Int32Array): void {
  const x0 = x[0]!, x1 = x[1]!, x2 = x[2]!, x3 = x[3]!, x4 = x[4]!, x5 = x[5]!, x6 = x[6]!, x7 = x[7]!;
  const x8 = x[8]!, x9 = x[9]!, x10 = x[10]!, x11 = x[11]!, x12 = x[12]!, x13 = x[13]!, x14 = x[14]!, x15 = x[15]!;
  let a = A0;
  let b = B0;
  let c = C0;
  let d = D0;
  a = (a + ((b & c) | (~b & d)) + 0xd76aa478 + x0) | 0;
  a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + 0xe8c7b756 + x1) | 0;
  d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + 0x242070db + x2) | 0;
  c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + 0xc1bdceee + x3) | 0;
  b = ((b << 22) | (b >>> 10)) + c | 0;
  a = (a + ((b & c) | (~b & d)) + 0xf57c0faf + x4) | 0;
  a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + 0x4787c62a + x5) | 0;
  d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + 0xa8304613 + x6) | 0;
  c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + 0xfd469501 + x7) | 0;
  b = ((b << 22) | (b >>> 10)) + c | 0;
  a = (a + ((b & c) | (~b & d)) + 0x698098d8 + x8) | 0;
  a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + 0x8b44f7af + x9) | 0;
  d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + 0xffff5bb1 + x10) | 0;
  c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + 0x895cd7be + x11) | 0;
  b = ((b << 22) | (b >>> 10)) + c | 0;
  a = (a + ((b & c) | (~b & d)) + 0x6b901122 + x12) | 0;
  a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + 0xfd987193 + x13) | 0;
  d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + 0xa679438e + x14) | 0;
  c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + 0x49b40821 + x15) | 0;
  b = ((b << 22) | (b >>> 10)) + c | 0;
  a = (a + ((d & b) | (~d & c)) + 0xf61e2562 + x1) | 0;
  a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((c & a) | (~c & b)) + 0xc040b340 + x6) | 0;
  d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((b & d) | (~b & a)) + 0x265e5a51 + x11) | 0;
  c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((a & c) | (~a & d)) + 0xe9b6c7aa + x0) | 0;
  b = ((b << 20) | (b >>> 12)) + c | 0;
  a = (a + ((d & b) | (~d & c)) + 0xd62f105d + x5) | 0;
  a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((c & a) | (~c & b)) + 0x2441453 + x10) | 0;
  d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((b & d) | (~b & a)) + 0xd8a1e681 + x15) | 0;
  c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((a & c) | (~a & d)) + 0xe7d3fbc8 + x4) | 0;
  b = ((b << 20) | (b >>> 12)) + c | 0;
  a = (a + ((d & b) | (~d & c)) + 0x21e1cde6 + x9) | 0;
  a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((c & a) | (~c & b)) + 0xc33707d6 + x14) | 0;
  d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((b & d) | (~b & a)) + 0xf4d50d87 + x3) | 0;
  c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((a & c) | (~a & d)) + 0x455a14ed + x8) | 0;
  b = ((b << 20) | (b >>> 12)) + c | 0;
  a = (a + ((d & b) | (~d & c)) + 0xa9e3e905 + x13) | 0;
  a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((c & a) | (~c & b)) + 0xfcefa3f8 + x2) | 0;
  d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((b & d) | (~b & a)) + 0x676f02d9 + x7) | 0;
  c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((a & c) | (~a & d)) + 0x8d2a4c8a + x12) | 0;
  b = ((b << 20) | (b >>> 12)) + c | 0;
  a = (a + (b ^ c ^ d) + 0xfffa3942 + x5) | 0;
  a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + 0x8771f681 + x8) | 0;
  d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + 0x6d9d6122 + x11) | 0;
  c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + 0xfde5380c + x14) | 0;
  b = ((b << 23) | (b >>> 9)) + c | 0;
  a = (a + (b ^ c ^ d) + 0xa4beea44 + x1) | 0;
  a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + 0x4bdecfa9 + x4) | 0;
  d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + 0xf6bb4b60 + x7) | 0;
  c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + 0xbebfbc70 + x10) | 0;
  b = ((b << 23) | (b >>> 9)) + c | 0;
  a = (a + (b ^ c ^ d) + 0x289b7ec6 + x13) | 0;
  a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + 0xeaa127fa + x0) | 0;
  d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + 0xd4ef3085 + x3) | 0;
  c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + 0x4881d05 + x6) | 0;
  b = ((b << 23) | (b >>> 9)) + c | 0;
  a = (a + (b ^ c ^ d) + 0xd9d4d039 + x9) | 0;
  a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + 0xe6db99e5 + x12) | 0;
  d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + 0x1fa27cf8 + x15) | 0;
  c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + 0xc4ac5665 + x2) | 0;
  b = ((b << 23) | (b >>> 9)) + c | 0;
  a = (a + (c ^ (b | ~d)) + 0xf4292244 + x0) | 0;
  a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + 0x432aff97 + x7) | 0;
  d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + 0xab9423a7 + x14) | 0;
  c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + 0xfc93a039 + x5) | 0;
  b = ((b << 21) | (b >>> 11)) + c | 0;
  a = (a + (c ^ (b | ~d)) + 0x655b59c3 + x12) | 0;
  a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + 0x8f0ccc92 + x3) | 0;
  d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + 0xffeff47d + x10) | 0;
  c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + 0x85845dd1 + x1) | 0;
  b = ((b << 21) | (b >>> 11)) + c | 0;
  a = (a + (c ^ (b | ~d)) + 0x6fa87e4f + x8) | 0;
  a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + 0xfe2ce6e0 + x15) | 0;
  d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + 0xa3014314 + x6) | 0;
  c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + 0x4e0811a1 + x13) | 0;
  b = ((b << 21) | (b >>> 11)) + c | 0;
  a = (a + (c ^ (b | ~d)) + 0xf7537e82 + x4) | 0;
  a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + 0xbd3af235 + x11) | 0;
  d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + 0x2ad7d2bb + x2) | 0;
  c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + 0xeb86d391 + x9) | 0;
  b = ((b << 21) | (b >>> 11)) + c | 0;
  x[0] = (a + A0) | 0;
  x[1] = (b + B0) | 0;
  x[2] = (c + C0) | 0;
  x[3] = (d + D0) | 0;
}
