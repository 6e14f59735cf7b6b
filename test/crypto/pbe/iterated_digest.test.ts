import { hash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iteratedDigest } from '../../../src/crypto/pbe/iterated_digest.js';

/** The chain the PKCS#12 KDF runs, one node:crypto call per round. */
function chain(name: string, first: Uint8Array, rounds: number): Buffer {
  let digest = Buffer.from(first);
  for (let r = 0; r < rounds; r++) digest = hash(name, digest, 'buffer');
  return digest;
}

describe('iteratedDigest (the PKCS#12 KDF inner loop on 32-bit words)', () => {
  for (const [name, size] of [['sha1', 20], ['sha256', 32], ['sha224', 28], ['sha384', 48], ['sha512', 64]] as const) {
    it(`gives node:crypto's ${name} chain for 0 to 3, 64 and 2,049 rounds, on random and extreme digests`, () => {
      for (const first of [randomBytes(size), Buffer.alloc(size, 0), Buffer.alloc(size, 0xff), randomBytes(size)]) {
        for (const rounds of [0, 1, 2, 3, 64, 2049]) {
          expect(Buffer.from(iteratedDigest(name, new Uint8Array(first), rounds)).toString('hex'), `${name} x${rounds}`).toBe(chain(name, first, rounds).toString('hex'));
        }
      }
    });
  }

  it('reads a digest that is a view into a larger buffer at an odd offset', () => {
    const backing = randomBytes(100);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 7, 32);
    expect(Buffer.from(iteratedDigest('sha256', view, 5))).toEqual(chain('sha256', view, 5));
  });
});
