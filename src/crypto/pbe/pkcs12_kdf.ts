import { createHash } from 'node:crypto';
import { concatBytes, utf16be } from '../../lib/bytes.js';
import { memoizedDerivation } from './derivation_memo.js';
import { iteratedDigest } from './iterated_digest.js';
import { spendIterations } from './work_budget.js';

/**
 * The PKCS#12 key derivation of RFC 7292 appendix B.2, used by the PKCS#12 PBE schemes (with
 * SHA-1) and by the PKCS#12 MAC (with the MAC's digest).
 */
/** (SHA-512/224 and SHA-512/256: the JDK's HmacPBESHA512/224 and HmacPBESHA512/256 MACs.) */
/** (MD5, SHA-3 and SM3: read only, from `openssl pkcs12 -export -macalg md5|sha3-256|sm3|...`.) */
export type Pkcs12KdfHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sha512-224' | 'sha512-256' | 'md5' | 'sm3' | 'sha3-224' | 'sha3-256' | 'sha3-384' | 'sha3-512';

/** The diversifier ID of RFC 7292 B.3: what the derived bytes are for. */
export const Pkcs12KdfPurpose = { key: 1, iv: 2, mac: 3 } as const;
export type Pkcs12KdfPurpose = (typeof Pkcs12KdfPurpose)[keyof typeof Pkcs12KdfPurpose];

// v is the hash's block size; for SHA-3 that is its rate, as OpenSSL's EVP_MD_get_block_size gives it
const BLOCK_BYTES: Readonly<Record<Pkcs12KdfHash, number>> = {
  sha1: 64, sha224: 64, sha256: 64, sha384: 128, sha512: 128, 'sha512-224': 128, 'sha512-256': 128,
  md5: 64, sm3: 64, 'sha3-224': 144, 'sha3-256': 136, 'sha3-384': 104, 'sha3-512': 72,
};
const OUTPUT_BYTES: Readonly<Record<Pkcs12KdfHash, number>> = {
  sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64, 'sha512-224': 28, 'sha512-256': 32,
  md5: 16, sm3: 32, 'sha3-224': 28, 'sha3-256': 32, 'sha3-384': 48, 'sha3-512': 64,
};

export function hashOutputLength(hash: Pkcs12KdfHash): number {
  return OUTPUT_BYTES[hash];
}

/**
 * The password as the KDF takes it: BMPString plus a two-byte NUL terminator. `null` is the
 * absent password, zero bytes long, which differs from "" (the terminator alone): OpenSSL and
 * the JDK each fall back from one to the other, so callers must be able to name both.
 */
export function pkcs12PasswordBytes(password: string | null): Uint8Array {
  if (password === null) return new Uint8Array(0);
  return concatBytes([utf16be(password), new Uint8Array(2)]);
}

/** Async so that a WebCrypto or worker-thread implementation can take its place unchanged. */
export async function derivePkcs12Key(
  hash: Pkcs12KdfHash,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  purpose: Pkcs12KdfPurpose,
  length: number,
): Promise<Uint8Array> {
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new TypeError(`invalid iteration count ${iterations}`);
  spendIterations(iterations * Math.ceil(length / OUTPUT_BYTES[hash]));
  return memoizedDerivation(['pkcs12', hash, password, salt, iterations, purpose, length], async () => derive(hash, password, salt, iterations, purpose, length));
}

function derive(hash: Pkcs12KdfHash, password: Uint8Array, salt: Uint8Array, iterations: number, purpose: Pkcs12KdfPurpose, length: number): Uint8Array {
  const v = BLOCK_BYTES[hash];
  const u = OUTPUT_BYTES[hash];
  const diversifier = new Uint8Array(v).fill(purpose);
  const input = concatBytes([fillTo(salt, v), fillTo(password, v)]);
  const out = new Uint8Array(Math.ceil(length / u) * u);
  for (let block = 0; block * u < length; block++) {
    let a: Uint8Array = new Uint8Array(createHash(hash).update(diversifier).update(input).digest());
    a = iteratedDigest(hash, a, iterations - 1);
    out.set(a, block * u);
    if ((block + 1) * u >= length) break;
    // I_j = (I_j + B + 1) mod 2^(8v), for every v-byte block of I, where B is A repeated to v bytes.
    const b = fillTo(a, v);
    for (let j = 0; j < input.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = input[j + k]! + b[k]! + carry;
        input[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return out.slice(0, length);
}

/** The bytes repeated to the smallest multiple of v that holds them (empty stays empty). */
function fillTo(bytes: Uint8Array, v: number): Uint8Array {
  if (bytes.length === 0) return new Uint8Array(0);
  const out = new Uint8Array(Math.ceil(bytes.length / v) * v);
  for (let i = 0; i < out.length; i++) out[i] = bytes[i % bytes.length]!;
  return out;
}
