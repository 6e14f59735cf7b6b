import { readDer } from '../asn1/der_reader.js';
import { verifySignature } from '../crypto/signature_algorithm.js';

/**
 * Whether the key `issuerSpki` (SubjectPublicKeyInfo, DER) made the signature of this certificate
 * (or CRL: the outer structure is the same), checked with node:crypto. A malformed certificate
 * or a key or algorithm node:crypto cannot use is a false.
 */
export function signatureMadeBy(der: Uint8Array, issuerSpki: Uint8Array): boolean {
  try {
    const [tbs, algorithm, signature] = readDer(der, 'certificate').sequence('certificate');
    if (!tbs || !algorithm || !signature) return false;
    return verifySignature(issuerSpki, algorithm, tbs.encoded, signature.bits('signature'));
  } catch {
    return false;
  }
}
