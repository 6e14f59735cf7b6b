import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildChain } from '../../src/cert/chain.js';
import { certificateCopies } from '../helpers/cert_copies.js';
import { OpensslCa } from '../helpers/openssl_ca.js';
import { tempDir } from '../helpers/tools.js';

const ca = new OpensslCa(tempDir('hapki-chain-'));
const der = (name: string): Uint8Array => new Uint8Array(new X509Certificate(readFileSync(ca.path(name))).raw);

let root: Uint8Array, twinA: Uint8Array, twinB: Uint8Array, leaf: Uint8Array, decoy: Uint8Array;
beforeAll(async () => {
  await ca.root('root');
  // two CAs of one name, each with its own key; the leaf is twinB's
  await ca.issued('twinA', 'ca', 'root', '/CN=Issuing CA');
  await ca.issued('twinB', 'ca', 'root', '/CN=Issuing CA');
  await ca.issued('leaf', 'not_ca', 'twinB');
  // a self-signed CA of that name too
  await ca.root('decoy', 'ca', '/CN=Issuing CA');
  [root, twinA, twinB, leaf, decoy] = ['root', 'twinA', 'twinB', 'leaf', 'decoy'].map(der) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
});

describe('buildChain', () => {
  it('takes the issuer whose key the child names over an earlier one of the same name; a last resort only when nothing else fits', () => {
    expect(buildChain(leaf, [twinA, twinB, root])).toEqual([leaf, twinB, root]);
    expect(buildChain(leaf, [twinA, twinB, root])[1]).toBe(twinB);
    // twinB a last resort (a PKCS#12's separately trusted certificate): the other of the name first
    expect(buildChain(leaf, [twinA, twinB, root], { lastResort: (d) => d === twinB })).toEqual([leaf, twinA, root]);
    expect(buildChain(leaf, [twinB, root], { lastResort: (d) => d === twinB })).toEqual([leaf, twinB, root]);
    // no issuer: the leaf alone; a byte-identical copy of a link is not taken twice
    expect(buildChain(leaf, [root])).toEqual([leaf]);
    expect(buildChain(twinB, [new Uint8Array(twinB), root])).toEqual([twinB, root]);
  });

  it("builds each chain in its own length: 3,000 leaves over a pool of 30,000 CAs of the issuer's name (30 s before)", () => {
    const pool = [...certificateCopies(decoy, 30_000), twinA, twinB, root];
    const leaves = certificateCopies(leaf, 3_000);
    const right = leaves.filter((l) => {
      const chain = buildChain(l, pool);
      return chain.length === 3 && chain[0] === l && chain[1] === twinB && chain[2] === root;
    });
    expect(right.length).toBe(leaves.length);
  }, 15_000);
});
