import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withWorkBudget } from '../../../src/crypto/pbe/work_budget.js';
import type { Keystore } from '../../../src/keystore/model.js';
import { readPkcs12 } from '../../../src/keystore/pkcs12/read.js';
import { writePkcs12 } from '../../../src/keystore/pkcs12/write.js';

function keysOnly(count: number): Keystore {
  const entries = Array.from({ length: count }, (_, i) => ({
    type: 'private-key' as const,
    alias: `k${i}`,
    key: new Uint8Array(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' })),
    chain: [],
  }));
  return { format: 'PKCS12', entries, integrityChecked: true, warnings: [] };
}

describe('the key-derivation budget of one file', () => {
  it('reads a store whose derivations fit the budget', async () => {
    const bytes = await writePkcs12(keysOnly(3), { password: 'pw', iterations: 1000 });
    const store = await withWorkBudget(() => readPkcs12(bytes, { password: 'pw' }), 10_000);
    expect(store.entries).toHaveLength(3);
  });

  it('refuses, with ERR_KEYSTORE_FORMAT, a store whose bags add up past it, though each one is within bounds', async () => {
    const bytes = await writePkcs12(keysOnly(6), { password: 'pw', iterations: 1000 });
    await expect(withWorkBudget(() => readPkcs12(bytes, { password: 'pw' }), 5_000)).rejects.toMatchObject({
      code: 'ERR_KEYSTORE_FORMAT',
      message: expect.stringMatching(/key-derivation rounds/),
    });
  });
});
