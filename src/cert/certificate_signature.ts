import { readDer } from '../asn1/der_reader.js';
import { bytesEqual } from '../lib/bytes.js';
import { certificateNames } from './names.js';
import { signatureAlgorithmOf, type SignatureAlgorithm } from '../crypto/signature_family.js';
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

/** Signed by the CA certificate's key, under the CA certificate's name. */
export function issuedUnder(leaf: Uint8Array, ca: Uint8Array): boolean {
  const caNames = certificateNames(ca);
  return bytesEqual(certificateNames(leaf).issuer, caNames.subject) && signatureMadeBy(leaf, caNames.spki);
}

/**
 * The certificate's signature algorithm when its hash is broken (MD2, MD4, MD5 or SHA-1, whose
 * collisions let a forger reuse a CA's signature), read from its signatureAlgorithm; classified
 * as path validation classifies it. Undefined for a sound or unreadable one.
 */
export function weakSignatureOf(der: Uint8Array): SignatureAlgorithm | undefined {
  try {
    const algorithm = signatureAlgorithmOf(readDer(der, 'certificate').child(1, 'signatureAlgorithm').encoded);
    return algorithm.weakness ? algorithm : undefined;
  } catch {
    return undefined;
  }
}
