import { createPublicKey, type KeyObject } from 'node:crypto';
import { algorithmIdentifier, explicit, integer, nullValue, sequence } from '../asn1/der_writer.js';
import type { DerNode } from '../asn1/der_reader.js';
import { signatureAlgorithmOf, signatureMatches } from './signature_family.js';
import { OID } from '../asn1/oids.js';
import { UnsupportedAlgorithmError } from '../errors.js';

/** What a signing key is, as far as choosing its signature algorithm goes. */
export type SigningKeyKind = 'RSA' | 'RSA-PSS' | 'EC:P-256' | 'EC:P-384' | 'EC:P-521' | 'Ed25519' | 'Ed448';

export const SIGNATURE_OID = {
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha224WithRSA: '1.2.840.113549.1.1.14',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
  ecdsaWithSHA224: '1.2.840.10045.4.3.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
} as const;

/** The hash each key kind signs with: SHA-256 for RSA, the curve's own size for ECDSA, none for EdDSA. */
export const SIGNING_HASH: Readonly<Record<SigningKeyKind, string | null>> = {
  RSA: 'sha256',
  'RSA-PSS': 'sha256',
  'EC:P-256': 'sha256',
  'EC:P-384': 'sha384',
  'EC:P-521': 'sha512',
  Ed25519: null,
  Ed448: null,
};

const PSS_HASH_OIDS: Readonly<Record<string, { oid: string; length: number }>> = {
  sha256: { oid: OID.sha256, length: 32 },
  sha384: { oid: OID.sha384, length: 48 },
  sha512: { oid: OID.sha512, length: 64 },
};

/**
 * RFC 4055 RSASSA-PSS AlgorithmIdentifier: the hash, MGF1 with the same hash, and the salt length
 * (the trailer field keeps its default). The hash parameters are absent, as RFC 4055 prefers.
 */
export function pssAlgorithmIdentifier(hash: string, saltLength: number): Uint8Array {
  const digest = PSS_HASH_OIDS[hash];
  if (!digest) throw new UnsupportedAlgorithmError(`RSASSA-PSS with ${hash}`, 'hapki signs RSASSA-PSS with SHA-256, SHA-384 or SHA-512');
  const hashId = algorithmIdentifier(digest.oid);
  return algorithmIdentifier(OID.rsassaPss, sequence(explicit(0, hashId), explicit(1, algorithmIdentifier(OID.mgf1, hashId)), explicit(2, integer(saltLength))));
}

/** The salt length of an RSASSA-PSS signature: the digest's own length (as OpenSSL and the JDK sign), or more if the key asks. */
export function pssSaltLength(hash: string, minimum = 0): number {
  return Math.max(PSS_HASH_OIDS[hash]?.length ?? 32, minimum);
}

const ALGORITHM_IDENTIFIERS: Readonly<Record<SigningKeyKind, Uint8Array>> = {
  // RFC 4055: the parameters of the PKCS#1 v1.5 signature algorithms are NULL, present
  RSA: algorithmIdentifier(SIGNATURE_OID.sha256WithRSA, nullValue()),
  // an RSASSA-PSS key signs only PSS (RFC 4055 1.2); unrestricted keys sign with SHA-256
  'RSA-PSS': pssAlgorithmIdentifier('sha256', 32),
  // RFC 5758 3.2 and RFC 8410 3: ECDSA and Ed25519 identifiers have no parameters at all
  'EC:P-256': algorithmIdentifier(SIGNATURE_OID.ecdsaWithSHA256),
  'EC:P-384': algorithmIdentifier(SIGNATURE_OID.ecdsaWithSHA384),
  'EC:P-521': algorithmIdentifier(SIGNATURE_OID.ecdsaWithSHA512),
  Ed25519: algorithmIdentifier(OID.ed25519),
  Ed448: algorithmIdentifier(OID.ed448),
};

/** The DER AlgorithmIdentifier a key of this kind signs under. */
export function signatureAlgorithmFor(kind: SigningKeyKind): Uint8Array {
  return ALGORITHM_IDENTIFIERS[kind];
}

/** What a signing key can be, for the errors that refuse another. */
export const SIGNING_KEYS_TEXT = 'signing keys are RSA, RSASSA-PSS, EC P-256/P-384/P-521, Ed25519 or Ed448';

const NODE_CURVES: Readonly<Record<string, SigningKeyKind>> = { prime256v1: 'EC:P-256', secp384r1: 'EC:P-384', secp521r1: 'EC:P-521' };

/** The kind of a node:crypto key (private or public); refuses keys hapki does not sign with. */
export function signingKeyKind(key: KeyObject): SigningKeyKind {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RSA';
    case 'rsa-pss':
      return 'RSA-PSS';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
      const kind = NODE_CURVES[curve];
      if (kind) return kind;
      throw new UnsupportedAlgorithmError(`EC ${curve}`, SIGNING_KEYS_TEXT);
    }
    case 'ed25519':
      return 'Ed25519';
    case 'ed448':
      return 'Ed448';
    default:
      throw new UnsupportedAlgorithmError(key.asymmetricKeyType ?? 'unknown', SIGNING_KEYS_TEXT);
  }
}

/**
 * Checks a signature (a certificate's, a request's, a CRL's) with node:crypto: PKCS#1 v1.5, PSS,
 * ECDSA and EdDSA, the key's type matching the algorithm's (signature_family). Anything that cannot be checked (an unknown algorithm, a key node:crypto will
 * not read, a malformed signature) is a false, never a throw. The key is SubjectPublicKeyInfo DER
 * or, when the caller has parsed it already, its KeyObject.
 */
export function verifySignature(spki: Uint8Array | KeyObject, algorithm: DerNode, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    const key = spki instanceof Uint8Array ? createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }) : spki;
    return signatureMatches(signatureAlgorithmOf(algorithm.encoded), key, data, signature);
  } catch {
    return false;
  }
}
