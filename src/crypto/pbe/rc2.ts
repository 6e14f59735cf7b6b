/**
 * RC2 (RFC 2268) in CBC mode with PKCS#7 padding. Legacy PKCS#12 files encrypt their
 * certificates with 40-bit RC2, and OpenSSL 3 only offers RC2 through its legacy provider,
 * which hapki must not depend on.
 */

// RFC 2268 section 2: a permutation of 0..255 derived from the digits of pi.
const PITABLE = Uint8Array.from(
  [
    'd9 78 f9 c4 19 dd b5 ed 28 e9 fd 79 4a a0 d8 9d',
    'c6 7e 37 83 2b 76 53 8e 62 4c 64 88 44 8b fb a2',
    '17 9a 59 f5 87 b3 4f 13 61 45 6d 8d 09 81 7d 32',
    'bd 8f 40 eb 86 b7 7b 0b f0 95 21 22 5c 6b 4e 82',
    '54 d6 65 93 ce 60 b2 1c 73 56 c0 14 a7 8c f1 dc',
    '12 75 ca 1f 3b be e4 d1 42 3d d4 30 a3 3c b6 26',
    '6f bf 0e da 46 69 07 57 27 f2 1d 9b bc 94 43 03',
    'f8 11 c7 f6 90 ef 3e e7 06 c3 d5 2f c8 66 1e d7',
    '08 e8 ea de 80 52 ee f7 84 aa 72 ac 35 4d 6a 2a',
    '96 1a d2 71 5a 15 49 74 4b 9f d0 5e 04 18 a4 ec',
    'c2 e0 41 6e 0f 51 cb cc 24 91 af 50 a1 f4 70 39',
    '99 7c 3a 85 23 b8 b4 7a fc 02 36 5b 25 55 97 31',
    '2d 5d fa 98 e3 8a 92 ae 05 df 29 10 67 6c ba c9',
    'd3 00 e6 cf e1 9e a8 2c 63 16 01 3f 58 e2 89 a9',
    '0d 38 34 1b ab 33 ff b0 bb 48 0c 5f b9 b1 cd 2e',
    'c5 f3 db 47 e5 a5 9c 77 0a a6 20 68 fe 7f c1 ad',
  ]
    .join(' ')
    .split(' ')
    .map((h) => parseInt(h, 16)),
);

const BLOCK = 8;

/** The 64-word expanded key of RFC 2268 section 2. */
export function expandRc2Key(key: Uint8Array, effectiveBits: number): Uint16Array {
  if (key.length < 1 || key.length > 128) throw new TypeError(`RC2 key must be 1 to 128 bytes, not ${key.length}`);
  if (!Number.isInteger(effectiveBits) || effectiveBits < 1 || effectiveBits > 1024) {
    throw new TypeError(`RC2 effective key length must be 1 to 1024 bits, not ${effectiveBits}`);
  }
  const t = key.length;
  const t8 = Math.ceil(effectiveBits / 8);
  const tm = 0xff >> (8 * t8 - effectiveBits);
  const l = new Uint8Array(128);
  l.set(key);
  for (let i = t; i < 128; i++) l[i] = PITABLE[(l[i - 1]! + l[i - t]!) & 0xff]!;
  l[128 - t8] = PITABLE[l[128 - t8]! & tm]!;
  for (let i = 127 - t8; i >= 0; i--) l[i] = PITABLE[l[i + 1]! ^ l[i + t8]!]!;
  const k = new Uint16Array(64);
  for (let i = 0; i < 64; i++) k[i] = l[2 * i]! | (l[2 * i + 1]! << 8);
  return k;
}

const SHIFTS = [1, 2, 3, 5] as const;

export function encryptRc2Block(k: Uint16Array, input: Uint8Array, inOff: number, output: Uint8Array, outOff: number): void {
  const r = readWords(input, inOff);
  let j = 0;
  const mix = (): void => {
    for (let i = 0; i < 4; i++) {
      const x = (r[i]! + k[j++]! + (r[(i + 3) & 3]! & r[(i + 2) & 3]!) + (~r[(i + 3) & 3]! & r[(i + 1) & 3]!)) & 0xffff;
      r[i] = ((x << SHIFTS[i]!) | (x >> (16 - SHIFTS[i]!))) & 0xffff;
    }
  };
  const mash = (): void => {
    for (let i = 0; i < 4; i++) r[i] = (r[i]! + k[r[(i + 3) & 3]! & 63]!) & 0xffff;
  };
  for (let n = 0; n < 5; n++) mix();
  mash();
  for (let n = 0; n < 6; n++) mix();
  mash();
  for (let n = 0; n < 5; n++) mix();
  writeWords(r, output, outOff);
}

export function decryptRc2Block(k: Uint16Array, input: Uint8Array, inOff: number, output: Uint8Array, outOff: number): void {
  const r = readWords(input, inOff);
  let j = 63;
  const unmix = (): void => {
    for (let i = 3; i >= 0; i--) {
      const x = r[i]!;
      const rotated = ((x >> SHIFTS[i]!) | (x << (16 - SHIFTS[i]!))) & 0xffff;
      r[i] = (rotated - k[j--]! - (r[(i + 3) & 3]! & r[(i + 2) & 3]!) - (~r[(i + 3) & 3]! & r[(i + 1) & 3]!)) & 0xffff;
    }
  };
  const unmash = (): void => {
    for (let i = 3; i >= 0; i--) r[i] = (r[i]! - k[r[(i + 3) & 3]! & 63]!) & 0xffff;
  };
  for (let n = 0; n < 5; n++) unmix();
  unmash();
  for (let n = 0; n < 6; n++) unmix();
  unmash();
  for (let n = 0; n < 5; n++) unmix();
  writeWords(r, output, outOff);
}

export function encryptRc2Cbc(key: Uint8Array, effectiveBits: number, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  checkIv(iv);
  const k = expandRc2Key(key, effectiveBits);
  const pad = BLOCK - (plaintext.length % BLOCK);
  const data = new Uint8Array(plaintext.length + pad);
  data.set(plaintext);
  data.fill(pad, plaintext.length);
  const out = new Uint8Array(data.length);
  const chain = Uint8Array.from(iv);
  for (let off = 0; off < data.length; off += BLOCK) {
    for (let i = 0; i < BLOCK; i++) chain[i]! ^= data[off + i]!;
    encryptRc2Block(k, chain, 0, out, off);
    chain.set(out.subarray(off, off + BLOCK));
  }
  return out;
}

/** Returns null when the ciphertext is not whole blocks or its padding is wrong (a wrong key, mostly). */
export function decryptRc2Cbc(key: Uint8Array, effectiveBits: number, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
  checkIv(iv);
  if (ciphertext.length === 0 || ciphertext.length % BLOCK !== 0) return null;
  const k = expandRc2Key(key, effectiveBits);
  const out = new Uint8Array(ciphertext.length);
  for (let off = 0; off < ciphertext.length; off += BLOCK) {
    decryptRc2Block(k, ciphertext, off, out, off);
    const prev = off === 0 ? iv : ciphertext.subarray(off - BLOCK, off);
    for (let i = 0; i < BLOCK; i++) out[off + i]! ^= prev[i]!;
  }
  const pad = out[out.length - 1]!;
  if (pad < 1 || pad > BLOCK) return null;
  for (let i = out.length - pad; i < out.length; i++) if (out[i] !== pad) return null;
  return out.slice(0, out.length - pad);
}

function checkIv(iv: Uint8Array): void {
  if (iv.length !== BLOCK) throw new TypeError(`RC2-CBC needs an 8-byte IV, not ${iv.length}`);
}

function readWords(bytes: Uint8Array, off: number): number[] {
  return [0, 1, 2, 3].map((i) => bytes[off + 2 * i]! | (bytes[off + 2 * i + 1]! << 8));
}

function writeWords(r: number[], out: Uint8Array, off: number): void {
  for (let i = 0; i < 4; i++) {
    out[off + 2 * i] = r[i]! & 0xff;
    out[off + 2 * i + 1] = r[i]! >> 8;
  }
}
