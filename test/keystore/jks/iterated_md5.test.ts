import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iteratedMd5 } from '../../../src/keystore/jks/iterated_md5.js';

/** The JCEKS derivation as the JDK's KeyProtector writes it: one MD5 call a round. */
function reference(first: Uint8Array, tail: Uint8Array, rounds: number): string {
  let block: Uint8Array = first;
  for (let i = 0; i < rounds; i++) block = createHash('md5').update(block).update(tail).digest();
  return Buffer.from(block).toString('hex');
}

describe('iteratedMd5 (the JCEKS key derivation on 32-bit words)', () => {
  it('equals MD5 called once a round, for passwords of 0 to 60 characters and 1 to 40 rounds', () => {
    for (let length = 0; length <= 60; length++) {
      const tail = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0x7f);
      const first = Uint8Array.of(length, 0x5a, 0xa5, 0xff);
      for (const rounds of [1, 2, 3, 17, 40]) expect(Buffer.from(iteratedMd5(first, tail, rounds)).toString('hex')).toBe(reference(first, tail, rounds));
    }
  });

  it('a 200,000-round derivation (the JDK default) matches too', () => {
    const tail = new TextEncoder().encode('changeit');
    const first = Uint8Array.of(1, 2, 3, 4);
    expect(Buffer.from(iteratedMd5(first, tail, 200_000)).toString('hex')).toBe(reference(first, tail, 200_000));
  });
});
