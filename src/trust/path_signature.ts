import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { signatureAlgorithmOf, type SignatureAlgorithm } from './signature_algorithm.js';

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
    if (!key || !fits(algorithm, key)) return 'bad';
    let good: boolean;
    try {
      const hash = algorithm.family === 'ed25519' || algorithm.family === 'ed448' ? null : algorithm.hash!;
      const options =
        algorithm.family === 'pss'
          ? { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: algorithm.saltLength! }
          : algorithm.family === 'ecdsa'
            ? { key, dsaEncoding: 'der' as const }
            : { key };
      good = verify(hash, signed.tbs, options, signed.signatureValue);
    } catch {
      good = false;
    }
    if (!good) return 'bad';
    if (algorithm.weakness === 'md5' || (algorithm.weakness === 'sha1' && !this.policy.allowSha1)) return 'weak';
    return 'ok';
  }

  private key(spki: Uint8Array, id: string): KeyObject | null {
    let key = this.keys.get(id);
    if (key === undefined) {
      try {
        key = createPublicKey({ key: Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength), format: 'der', type: 'spki' });
      } catch {
        key = null;
      }
      this.keys.set(id, key);
    }
    return key;
  }
}

function keyId(spki: Uint8Array): string {
  return Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('latin1');
}

/** The key type must be the one the algorithm names (an RSA key never checks an ECDSA signature). */
function fits(algorithm: SignatureAlgorithm, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  switch (algorithm.family) {
    case 'rsa':
      return type === 'rsa';
    case 'pss':
      return type === 'rsa' || type === 'rsa-pss';
    case 'ecdsa':
      return type === 'ec';
    case 'ed25519':
      return type === 'ed25519';
    case 'ed448':
      return type === 'ed448';
    default:
      return false;
  }
}
