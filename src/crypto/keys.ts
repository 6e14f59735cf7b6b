import { UnsupportedAlgorithmError } from '../errors.js';
import { describePrivateKey, privateKeyObject, publicKeyOfPrivateKey } from './key_info.js';
import { DEFAULT_KEY_SPEC, DEFAULT_RSA_BITS, EC_CURVES, type EcCurve, type KeySpec } from './key_spec.js';
import { defaultCrypto, type WebCrypto, type WebCryptoKey, type WebCryptoKeyPair } from './provider.js';

export { DEFAULT_KEY_SPEC, DEFAULT_RSA_BITS, EC_CURVES, KEY_TYPES, MIN_RSA_BITS, parseKeySpec } from './key_spec.js';
export type { EcCurve, KeySpec, KeyType } from './key_spec.js';

/** Signature algorithm parameters as WebCrypto's sign() and @peculiar/x509 take them. */
export interface SigningAlgorithm {
  name: string;
  hash?: string;
}

const CURVE_HASH: Readonly<Record<EcCurve, string>> = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' };

/**
 * Ed25519 goes through @peculiar/webcrypto like the rest: its "Ed25519" algorithm generates,
 * imports and signs, and @peculiar/x509 encodes the result as id-Ed25519 (checked with openssl).
 */
function keyAlgorithm(spec: KeySpec): Record<string, unknown> {
  switch (spec.kty) {
    case 'rsa':
      return { name: 'RSASSA-PKCS1-v1_5', modulusLength: spec.bits ?? DEFAULT_RSA_BITS, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    case 'ec':
      return { name: 'ECDSA', namedCurve: spec.curve ?? 'P-256' };
    case 'ed25519':
      return { name: 'Ed25519' };
  }
}

/** A new extractable signing key pair. */
export async function generateKeyPair(spec: KeySpec = DEFAULT_KEY_SPEC, crypto: WebCrypto = defaultCrypto()): Promise<WebCryptoKeyPair> {
  const algorithm = keyAlgorithm(spec) as unknown as Parameters<WebCrypto['subtle']['generateKey']>[0];
  return (await crypto.subtle.generateKey(algorithm as never, true, ['sign', 'verify'])) as WebCryptoKeyPair;
}

/** PKCS#8 PrivateKeyInfo (DER) of an extractable private key. */
export async function exportPkcs8(privateKey: WebCryptoKey, crypto: WebCrypto = defaultCrypto()): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey('pkcs8', privateKey));
}

/** SubjectPublicKeyInfo (DER) of a public key. */
export async function exportSpki(publicKey: WebCryptoKey, crypto: WebCrypto = defaultCrypto()): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey('spki', publicKey));
}

/**
 * A keystore's PKCS#8 key as a WebCrypto key pair ready to sign with. The key is first re-encoded
 * by Node, so that EC keys written without their public point (as Java writes them) import too.
 */
export async function importSigningKey(pkcs8: Uint8Array, crypto: WebCrypto = defaultCrypto()): Promise<WebCryptoKeyPair> {
  const description = describePrivateKey(pkcs8);
  const canonical = new Uint8Array(privateKeyObject(pkcs8).export({ type: 'pkcs8', format: 'der' }));
  const spki = publicKeyOfPrivateKey(pkcs8);
  let algorithm: Record<string, unknown>;
  if (description.algorithm === 'RSA') algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  else if (description.algorithm === 'EC' && (EC_CURVES as readonly string[]).includes(description.curve ?? '')) algorithm = { name: 'ECDSA', namedCurve: description.curve };
  else if (description.algorithm === 'Ed25519') algorithm = { name: 'Ed25519' };
  else throw new UnsupportedAlgorithmError(description.curve ? `${description.algorithm} ${description.curve}` : description.algorithm, 'signing keys are RSA, EC P-256/P-384/P-521 or Ed25519');
  const subtle = crypto.subtle;
  const privateKey = await subtle.importKey('pkcs8', canonical, algorithm as never, true, ['sign']);
  const publicKey = await subtle.importKey('spki', spki, algorithm as never, true, ['verify']);
  return { privateKey, publicKey };
}

/** The signature algorithm a key signs with: SHA-256 for RSA, the curve's own hash for ECDSA. */
export function signingAlgorithm(key: WebCryptoKey): SigningAlgorithm {
  const algorithm = key.algorithm as { name: string; namedCurve?: string };
  switch (algorithm.name) {
    case 'RSASSA-PKCS1-v1_5':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    case 'ECDSA': {
      const hash = CURVE_HASH[algorithm.namedCurve as EcCurve];
      if (!hash) throw new UnsupportedAlgorithmError(`ECDSA ${algorithm.namedCurve}`, 'signing');
      return { name: 'ECDSA', hash };
    }
    case 'Ed25519':
      return { name: 'Ed25519' };
    case 'EdDSA':
      if (algorithm.namedCurve === 'Ed25519') return { name: 'EdDSA' };
      break;
  }
  throw new UnsupportedAlgorithmError(algorithm.namedCurve ? `${algorithm.name} ${algorithm.namedCurve}` : algorithm.name, 'signing');
}
