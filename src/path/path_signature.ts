import { createPublicKey, type KeyObject } from 'node:crypto';
import { readDer, Tag } from '../asn1/der_reader.js';
import { bytesEqual } from '../lib/bytes.js';
import { signatureAlgorithmOf, signatureMatches, type SignatureAlgorithm } from '../crypto/signature_family.js';

/** Something signed: a certificate, a CRL, an OCSP response. */
export interface SignedObject {
  /** The encoded to-be-signed part. */
  tbs: Uint8Array;
  /** The encoded AlgorithmIdentifier of the signature. */
  signatureAlgorithm: Uint8Array;
  /** The signature BIT STRING's bytes. */
  signatureValue: Uint8Array;
}

/** 'ok', or why the signature is not accepted: wrong, made with a weak hash, DSA, or not checkable. */
export type SignatureVerdict = 'ok' | 'bad' | 'weak' | 'dsa' | 'unsupported';

export interface SignaturePolicy {
  /** Accept SHA-1 signatures (MD5, MD4 and MD2 are never accepted). */
  allowSha1?: boolean;
}

/**
 * Verifies signatures with node:crypto: RSA PKCS#1 v1.5 and PSS, ECDSA, Ed25519, Ed448. Signature
 * checks need only public keys, so they never go to an HSM; the `crypto` parameter of the callers
 * is kept for the operations that may. A correct signature over a weak hash is 'weak', told apart
 * from a wrong one so that the error says which.
 */
export class SignatureChecker {
  // keyed by the key's bytes, not the array: a pool of certificates sharing one key (limbo's
  // pathological chains) parses it once and checks each signature under it once
  private readonly keys = new Map<string, KeyObject | null>();
  private readonly results = new Map<SignedObject, Map<string, SignatureVerdict>>();

  constructor(private readonly policy: SignaturePolicy = {}) {}

  /** The verdict on `signed` under the key in `spki` (an encoded SubjectPublicKeyInfo). */
  verify(signed: SignedObject, spki: Uint8Array): SignatureVerdict {
    let bySigner = this.results.get(signed);
    if (!bySigner) this.results.set(signed, (bySigner = new Map()));
    const id = keyId(spki);
    let verdict = bySigner.get(id);
    if (verdict === undefined) {
      verdict = this.check(signed, spki, id);
      bySigner.set(id, verdict);
    }
    return verdict;
  }

  algorithm(signed: SignedObject): SignatureAlgorithm {
    return signatureAlgorithmOf(signed.signatureAlgorithm);
  }

  private check(signed: SignedObject, spki: Uint8Array, id: string): SignatureVerdict {
    const algorithm = signatureAlgorithmOf(signed.signatureAlgorithm);
    if (algorithm.family === 'dsa') return 'dsa';
    if (algorithm.family === 'unknown') return 'unsupported';
    const key = this.key(spki, id);
    const good = key !== null && signatureMatches(algorithm, key, signed.tbs, signed.signatureValue);
    if (!good) return 'bad';
    if (algorithm.weakness === 'md5' || (algorithm.weakness === 'sha1' && !this.policy.allowSha1)) return 'weak';
    return 'ok';
  }

  private key(spki: Uint8Array, id: string): KeyObject | null {
    let key = this.keys.get(id);
    if (key === undefined) {
      try {
        key = importPublicKey(spki);
      } catch {
        key = null;
      }
      this.keys.set(id, key);
    }
    return key;
  }
}

/** AlgorithmIdentifier { rsaEncryption, NULL }, DER: the one RSA key form taken the short way. */
const RSA_ENCRYPTION = Uint8Array.of(0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00);

/**
 * The key of a SubjectPublicKeyInfo. An rsaEncryption key goes to node:crypto as the PKCS#1
 * RSAPublicKey inside it, which OpenSSL 3.0 imports some 40 times faster (about 5 us against 200 us
 * for the SPKI: its generic decoder tries one format after another); anything else, or anything
 * that does not read cleanly that way, as the SPKI.
 */
function importPublicKey(spki: Uint8Array): KeyObject {
  const rsa = rsaPublicKeyOf(spki);
  if (rsa) {
    try {
      return createPublicKey({ key: Buffer.from(rsa.buffer, rsa.byteOffset, rsa.byteLength), format: 'der', type: 'pkcs1' });
    } catch {
      // the SPKI parser gives the verdict
    }
  }
  return createPublicKey({ key: Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength), format: 'der', type: 'spki' });
}

/** The RSAPublicKey of an rsaEncryption SPKI whose parts are exactly {algorithm, BIT STRING without unused bits} holding one SEQUENCE of two INTEGERs. */
function rsaPublicKeyOf(spki: Uint8Array): Uint8Array | undefined {
  try {
    const parts = readDer(spki, 'SubjectPublicKeyInfo').sequence('SubjectPublicKeyInfo');
    const bits = parts[1];
    if (parts.length !== 2 || !bytesEqual(parts[0]!.encoded, RSA_ENCRYPTION) || !bits?.is(Tag.bitString) || bits.constructed || bits.content[0] !== 0) return undefined;
    const key = bits.content.subarray(1);
    const numbers = readDer(key, 'RSAPublicKey').sequence('RSAPublicKey');
    return numbers.length === 2 && numbers.every((n) => n.is(Tag.integer)) ? key : undefined;
  } catch {
    return undefined;
  }
}

function keyId(spki: Uint8Array): string {
  return Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('latin1');
}
