import { describe, expect, it } from 'vitest';
import { readDer } from '../../../src/asn1/der_reader.js';
import { deriveKeyAndIv, isPbePassword, newPbeParameters, pbeDecrypt, pbeEncrypt, pbeParametersFromNode } from '../../../src/keystore/jks/pbe_md5_des3.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const plain = new TextEncoder().encode('hello world, sixteen+');

/**
 * Vectors made by JDK 17's own Cipher.getInstance("PBEWithMD5AndTripleDES") (password "pw",
 * 3 iterations, plaintext above), so they pin SunJCE's behaviour rather than ours.
 */
describe('PBEWithMD5AndTripleDES', () => {
  it('matches the JDK for a salt with different halves', () => {
    const params = { salt: hex('0102030405060708'), iterations: 3 };
    expect(Buffer.from(pbeEncrypt(plain, 'pw', params)).toString('hex')).toBe('568559468ef93aafe5d198a834f171fd10fa5bc44ead1faa');
  });

  it('matches the JDK when both salt halves are equal: the first half is byte-reversed first', () => {
    const params = { salt: hex('0102030401020304'), iterations: 3 };
    expect(Buffer.from(pbeEncrypt(plain, 'pw', params)).toString('hex')).toBe('b36fd6213d33fa4cfe77ef6d6e1f297b2993674ed54f8884');
    // Without the reversal both chains are equal and the derived IV repeats half the key.
    expect(deriveKeyAndIv('pw', params).key.subarray(0, 8)).not.toEqual(deriveKeyAndIv('pw', params).key.subarray(16, 24));
  });

  it('decrypts what it encrypts and returns undefined on a wrong password', () => {
    const params = { salt: hex('a1b2c3d4e5f60718'), iterations: 50 };
    const enc = pbeEncrypt(plain, 'secret', params);
    expect(pbeDecrypt(enc, 'secret', params)).toEqual(plain);
    const wrong = ['a', 'b', 'c', 'd', 'e'].map((p) => pbeDecrypt(enc, p, params));
    expect(wrong.every((w) => w === undefined || !Buffer.from(w).equals(Buffer.from(plain)))).toBe(true);
    expect(pbeDecrypt(new Uint8Array(7), 'secret', params)).toBeUndefined();
  });

  it('never writes a salt with equal halves', () => {
    for (let i = 0; i < 50; i++) {
      const { salt } = newPbeParameters(1);
      expect(Buffer.from(salt.subarray(0, 4)).equals(Buffer.from(salt.subarray(4)))).toBe(false);
    }
  });

  it('accepts only printable ASCII passwords, as SunJCE does', () => {
    expect(isPbePassword('changeit ~!')).toBe(true);
    expect(isPbePassword('pé')).toBe(false);
    expect(isPbePassword('tab\t')).toBe(false);
  });

  it('malformed parameters name one offset, the file\'s, not also the one inside the parameters', () => {
    const inflated = Uint8Array.from([0x30, 0x06, 0x04, 0x84, 0xff, 0xff, 0xff, 0xff]);
    let message = '';
    try {
      pbeParametersFromNode(readDer(inflated, 'parameters'), 500);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^malformed PBEWithMD5AndTripleDES parameters: .* \(at byte 500\)$/);
    expect(message.match(/at byte/g)).toHaveLength(1);
  });
});
