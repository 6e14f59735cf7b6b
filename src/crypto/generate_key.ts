import { generateKeyPair, type KeyObject } from 'node:crypto';
import { DEFAULT_KEY_SPEC, DEFAULT_RSA_BITS, type KeySpec } from './key_spec.js';

const NODE_CURVES = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as const;

/** A new private key made by node:crypto (on the thread pool, so key generation never blocks the loop). */
export function generateSigningKey(spec: KeySpec = DEFAULT_KEY_SPEC): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, _publicKey: KeyObject, privateKey: KeyObject): void => (error ? reject(error) : resolve(privateKey));
    switch (spec.kty) {
      case 'rsa':
        generateKeyPair('rsa', { modulusLength: spec.bits ?? DEFAULT_RSA_BITS, publicExponent: 0x10001 }, done);
        return;
      case 'ec':
        generateKeyPair('ec', { namedCurve: NODE_CURVES[spec.curve ?? 'P-256'] }, done);
        return;
      case 'ed25519':
        generateKeyPair('ed25519', {}, done);
        return;
    }
  });
}

/** PKCS#8 PrivateKeyInfo (DER) of a node:crypto private key. */
export function pkcs8Of(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
}
