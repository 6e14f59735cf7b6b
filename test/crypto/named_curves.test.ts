import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describePrivateKey, describePublicKey } from '../../src/crypto/key_info.js';

// Named curves show their names and sizes, not a bare OID (brainpool, secp256k1).
describe('EC named curves', () => {
  for (const [curve, bits] of [['brainpoolP256r1', 256], ['brainpoolP384r1', 384], ['brainpoolP512r1', 512], ['secp256k1', 256], ['prime256v1', 256], ['secp384r1', 384]] as const) {
    it(`${curve}: ${bits} bits`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const name = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : curve;
      expect(describePrivateKey(new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })))).toEqual({ algorithm: 'EC', curve: name, bits });
      expect(describePublicKey(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })))).toEqual({ algorithm: 'EC', curve: name, bits });
    });
  }
});
