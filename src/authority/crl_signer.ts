import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { nullValue, oid, sequence } from '../asn1/der_writer.js';
import type { Signer } from '../crypto/signer.js';

/** A node:crypto Signer over a PKCS#8 key, for CRLs: SHA-256/384/512 by key size, DER ECDSA signatures. */
export function pkcs8Signer(pkcs8: Uint8Array): Signer {
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const [algorithm, hash] =
    type === 'rsa' ? [sequence(oid('1.2.840.113549.1.1.11'), nullValue()), 'sha256']
    : type === 'ed25519' ? [sequence(oid('1.3.101.112')), null]
    : curve === 'secp384r1' ? [sequence(oid('1.2.840.10045.4.3.3')), 'sha384']
    : curve === 'secp521r1' ? [sequence(oid('1.2.840.10045.4.3.4')), 'sha512']
    : [sequence(oid('1.2.840.10045.4.3.2')), 'sha256'];
  const publicKeyInfo = new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  return {
    publicKeyInfo,
    signatureAlgorithm: algorithm as Uint8Array,
    sign: async (data) => new Uint8Array(sign(hash as string | null, data, key)),
  };
}
