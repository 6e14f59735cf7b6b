import { describe, expect, it } from 'vitest';
import { uniqueAlias } from '../../src/keystore/alias.js';
import type { Keystore } from '../../src/keystore/model.js';

const store = (format: Keystore['format'], aliases: string[]): Keystore => ({
  format,
  entries: aliases.map((alias) => ({ type: 'trusted-cert', alias, certificate: new Uint8Array([0x30, 0x00]) })),
  integrityChecked: true,
  warnings: [],
});

describe('uniqueAlias', () => {
  it('keeps a free wish, numbers a taken one, and compares as the format does', () => {
    expect(uniqueAlias(store('JKS', ['server']), 'ca')).toBe('ca');
    expect(uniqueAlias(store('JKS', ['ca', 'CA-2']), 'ca')).toBe('ca-3');
    expect(uniqueAlias(store('PEM', ['ca', 'CA-2']), 'ca')).toBe('ca-2');
    expect(uniqueAlias(store('PKCS12', []), '  ')).toBe('entry');
  });

  it('finds the next free number past 50,000 taken ones in one pass (it searched the store once per number)', () => {
    const taken = ['root-ca', ...Array.from({ length: 50_000 }, (_, i) => `root-ca-${i + 2}`)];
    expect(uniqueAlias(store('JKS', taken), 'Root-CA')).toBe('Root-CA-50002');
  }, 10_000);
});
