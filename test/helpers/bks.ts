import { createCipheriv, createHmac } from 'node:crypto';
import { derivePkcs12Key, Pkcs12KdfPurpose, pkcs12PasswordBytes } from '../../src/crypto/pbe/pkcs12_kdf.js';

/**
 * A small BKS (version 2) writer for tests: crafted stores BouncyCastle would not write (garbage
 * keys, one alias twice, odd kinds, long salts, large counts) with a valid HMAC, so that the
 * reader's checks after the integrity check are what the tests reach. The layout is the one
 * src/keystore/bc/bks_read.ts describes; the PKCS#12 KDF is hapki's, which test/interop checks
 * against stores BouncyCastle wrote.
 */

const TYPE = { certificate: 1, key: 2, sealed: 4 } as const;

export interface BksKey {
  /** 0 private, 1 public, 2 secret (any byte, to craft an unknown kind). */
  kind: number;
  format: string;
  algorithm: string;
  encoded: Uint8Array;
}

function u8(n: number): Uint8Array {
  return Uint8Array.of(n);
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

function i64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(n));
  return out;
}

/** Java's writeUTF for text without NUL (the same bytes as UTF-8, after a 16-bit length). */
function utf(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8');
  const out = new Uint8Array(2 + bytes.length);
  new DataView(out.buffer).setUint16(0, bytes.length);
  out.set(bytes, 2);
  return out;
}

function cat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return cat([u32(bytes.length), bytes]);
}

function certificate(der: Uint8Array): Uint8Array {
  return cat([utf('X.509'), lengthPrefixed(der)]);
}

function head(type: number, alias: string, chain: readonly Uint8Array[]): Uint8Array {
  return cat([u8(type), utf(alias), i64(1_700_000_000_000), u32(chain.length), ...chain.map(certificate)]);
}

function keyEncoding(key: BksKey): Uint8Array {
  return cat([u8(key.kind), utf(key.format), utf(key.algorithm), lengthPrefixed(key.encoded)]);
}

export function bksCertificateEntry(alias: string, der: Uint8Array): Uint8Array {
  return cat([head(TYPE.certificate, alias, []), certificate(der)]);
}

/** A key in the clear (type 2). */
export function bksKeyEntry(alias: string, chain: readonly Uint8Array[], key: BksKey): Uint8Array {
  return cat([head(TYPE.key, alias, chain), keyEncoding(key)]);
}

/**
 * A sealed key (type 4): the key encoding under pbeWithSHAAnd3-KeyTripleDES-CBC. `countField`
 * writes another iteration count than the one used, for a count nothing should derive with.
 */
export async function bksSealedEntry(
  alias: string,
  chain: readonly Uint8Array[],
  key: BksKey,
  password: string,
  options: { salt?: Uint8Array; iterations?: number; countField?: number } = {},
): Promise<Uint8Array> {
  const salt = options.salt ?? new Uint8Array(20).fill(2);
  const iterations = options.iterations ?? 1024;
  const pass = pkcs12PasswordBytes(password);
  const k = await derivePkcs12Key('sha1', pass, salt, iterations, Pkcs12KdfPurpose.key, 24);
  const iv = await derivePkcs12Key('sha1', pass, salt, iterations, Pkcs12KdfPurpose.iv, 8);
  const cipher = createCipheriv('des-ede3-cbc', k, iv);
  const sealed = cat([cipher.update(keyEncoding(key)), cipher.final()]);
  const data = cat([lengthPrefixed(salt), u32(options.countField ?? iterations), sealed]);
  return cat([head(TYPE.sealed, alias, chain), lengthPrefixed(data)]);
}

/**
 * The store: header, entries, end marker and the HMAC-SHA-1 under the store password.
 * `countField` writes another store iteration count than the one the MAC was made with.
 */
export async function bksStore(entries: readonly Uint8Array[], password: string, options: { salt?: Uint8Array; iterations?: number; countField?: number } = {}): Promise<Uint8Array> {
  const salt = options.salt ?? new Uint8Array(20).fill(1);
  const iterations = options.iterations ?? 1024;
  const body = cat([...entries, u8(0)]);
  const macKey = await derivePkcs12Key('sha1', pkcs12PasswordBytes(password), salt, iterations, Pkcs12KdfPurpose.mac, 20);
  const mac = createHmac('sha1', macKey).update(body).digest();
  return cat([u32(2), lengthPrefixed(salt), u32(options.countField ?? iterations), body, mac]);
}
