import { sequence, unsignedInteger } from '../asn1/der_writer.js';
import { UnsupportedAlgorithmError } from '../errors.js';
import type { WebCrypto, WebCryptoKey } from './provider.js';
import { signatureAlgorithmFor, type SigningKeyKind } from './signature_algorithm.js';
import type { Signer } from './signer.js';

const CURVE_KINDS: Readonly<Record<string, SigningKeyKind>> = { 'P-256': 'EC:P-256', 'P-384': 'EC:P-384', 'P-521': 'EC:P-521' };
const HASHES: Readonly<Record<SigningKeyKind, string>> = { RSA: 'SHA-256', 'RSA-PSS': 'SHA-256', 'EC:P-256': 'SHA-256', 'EC:P-384': 'SHA-384', 'EC:P-521': 'SHA-512', Ed25519: '', Ed448: '' };

/**
 * A signer over any WebCrypto implementation (an injected provider, an HSM behind one): the key
 * never leaves the provider. `publicKey` gives the SubjectPublicKeyInfo; a non-extractable HSM
 * public key may instead come as `publicKeyInfo` DER.
 */
export async function webCryptoSigner(keys: { privateKey: WebCryptoKey; publicKey?: WebCryptoKey; publicKeyInfo?: Uint8Array }, crypto: WebCrypto): Promise<Signer> {
  const kind = webCryptoKeyKind(keys.privateKey);
  let publicKeyInfo = keys.publicKeyInfo;
  if (!publicKeyInfo) {
    if (!keys.publicKey) throw new TypeError('a WebCrypto signer needs the public key or its SubjectPublicKeyInfo');
    publicKeyInfo = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
  }
  const algorithm = kind === 'RSA' ? { name: 'RSASSA-PKCS1-v1_5' } : kind === 'Ed25519' ? { name: keys.privateKey.algorithm.name } : { name: 'ECDSA', hash: HASHES[kind] };
  return {
    publicKeyInfo,
    signatureAlgorithm: signatureAlgorithmFor(kind),
    async sign(data) {
      const signature = new Uint8Array(await crypto.subtle.sign(algorithm as never, keys.privateKey, data));
      // WebCrypto gives ECDSA signatures as r || s (IEEE P1363); X.509 wants Ecdsa-Sig-Value
      return kind.startsWith('EC:') ? ecdsaSigValue(signature) : signature;
    },
  };
}

function webCryptoKeyKind(key: WebCryptoKey): SigningKeyKind {
  const algorithm = key.algorithm as { name: string; namedCurve?: string; hash?: { name: string } | string };
  switch (algorithm.name) {
    case 'RSASSA-PKCS1-v1_5': {
      const hash = typeof algorithm.hash === 'string' ? algorithm.hash : algorithm.hash?.name;
      if (hash !== undefined && hash.toUpperCase() !== 'SHA-256') throw new UnsupportedAlgorithmError(`RSASSA-PKCS1-v1_5 ${hash}`, 'hapki signs RSA with SHA-256');
      return 'RSA';
    }
    case 'ECDSA': {
      const kind = CURVE_KINDS[algorithm.namedCurve ?? ''];
      if (kind) return kind;
      break;
    }
    case 'Ed25519':
      return 'Ed25519';
    case 'EdDSA':
      if (algorithm.namedCurve === 'Ed25519') return 'Ed25519';
      break;
  }
  throw new UnsupportedAlgorithmError(algorithm.namedCurve ? `${algorithm.name} ${algorithm.namedCurve}` : algorithm.name, 'signing');
}

/** r || s, each half the length, as the DER SEQUENCE { r INTEGER, s INTEGER }. */
export function ecdsaSigValue(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  if (!Number.isInteger(half) || half === 0) throw new UnsupportedAlgorithmError('ECDSA', `a raw signature of ${raw.length} bytes`);
  return sequence(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half)));
}
