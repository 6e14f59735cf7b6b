import { describe, expect, it } from 'vitest';
import { decryptRc2Block, decryptRc2Cbc, encryptRc2Block, encryptRc2Cbc, expandRc2Key } from '../../../src/crypto/pbe/rc2.js';
import { fromHex, toHex } from '../../../src/lib/bytes.js';

// RFC 2268 section 5.
const VECTORS: readonly [key: string, effectiveBits: number, plaintext: string, ciphertext: string][] = [
  ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
  ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
  ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
  ['88', 64, '0000000000000000', '61a8a244adacccf0'],
  ['88bca90e90875a', 64, '0000000000000000', '6ccf4308974c267f'],
  ['88bca90e90875a7f0f79c384627bafb2', 64, '0000000000000000', '1a807d272bbe5db1'],
  ['88bca90e90875a7f0f79c384627bafb2', 128, '0000000000000000', '2269552ab0f85ca6'],
  ['88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e', 129, '0000000000000000', '5b78d3a43dfff1f1'],
];

describe('RC2 (RFC 2268)', () => {
  it.each(VECTORS)('key %s, %i effective bits', (key, bits, plaintext, ciphertext) => {
    const k = expandRc2Key(fromHex(key), bits);
    const out = new Uint8Array(8);
    encryptRc2Block(k, fromHex(plaintext), 0, out, 0);
    expect(toHex(out)).toBe(ciphertext);
    const back = new Uint8Array(8);
    decryptRc2Block(k, out, 0, back, 0);
    expect(toHex(back)).toBe(plaintext);
  });

  it('CBC round-trips with 40- and 128-bit effective keys, for every padding length', () => {
    const iv = fromHex('0102030405060708');
    for (const [key, bits] of [[fromHex('0a0b0c0d0e'), 40], [fromHex('00112233445566778899aabbccddeeff'), 128]] as const) {
      for (let n = 0; n <= 17; n++) {
        const plaintext = Uint8Array.from({ length: n }, (_, i) => i * 7);
        const ciphertext = encryptRc2Cbc(key, bits, iv, plaintext);
        expect(ciphertext.length).toBe((Math.floor(n / 8) + 1) * 8);
        expect(toHex(decryptRc2Cbc(key, bits, iv, ciphertext)!)).toBe(toHex(plaintext));
      }
    }
  });

  it('reports bad padding and partial blocks as null, not an exception', () => {
    const key = fromHex('0a0b0c0d0e');
    const iv = new Uint8Array(8);
    const ciphertext = encryptRc2Cbc(key, 40, iv, new Uint8Array(13));
    expect(decryptRc2Cbc(fromHex('0a0b0c0d0f'), 40, iv, ciphertext)).toBeNull();
    expect(decryptRc2Cbc(key, 40, iv, ciphertext.subarray(0, 12))).toBeNull();
    expect(decryptRc2Cbc(key, 40, iv, new Uint8Array(0))).toBeNull();
  });
});
