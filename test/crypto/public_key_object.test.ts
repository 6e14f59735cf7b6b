import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyObject } from '../../src/crypto/key_info.js';

describe('publicKeyObject', () => {
  it('gives the same key as the DER parser for RSA, EC P-256/P-384/P-521 and Ed25519', () => {
    const pairs = [
      generateKeyPairSync('rsa', { modulusLength: 2048 }),
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
      generateKeyPairSync('ec', { namedCurve: 'secp384r1' }),
      generateKeyPairSync('ec', { namedCurve: 'secp521r1' }),
      generateKeyPairSync('ed25519'),
    ];
    for (const { publicKey } of pairs) {
      const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
      const parsed = publicKeyObject(spki);
      expect(parsed.equals(publicKey), publicKey.asymmetricKeyType).toBe(true);
      expect(new Uint8Array(parsed.export({ type: 'spki', format: 'der' }))).toEqual(spki);
    }
  });

});
