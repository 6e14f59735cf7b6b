import { describe, expect, it } from 'vitest';
import type { EntrySummary } from '../../src/keystore/summary.js';
import { renderEntriesJsonChunks } from '../../src/cli/render/list_json.js';

const entry = (alias: string): EntrySummary =>
  ({ alias, type: 'trusted-cert', chain: [{ subject: `CN=${alias}\n"x"\u202e`, issuer: 'CN=ca', serial: '01', notBefore: 'a', notAfter: 'b', san: ['DNS:a', 'DNS:b'], sha256: 'ff' }] }) as unknown as EntrySummary;

describe('list --json written in pieces', () => {
  it('prints exactly what JSON.stringify(summary, null, 2) prints, for no, one and many entries', () => {
    for (const count of [0, 1, 3, 2000]) {
      const entries = Array.from({ length: count }, (_, i) => entry(`e${i}`));
      const chunks = [...renderEntriesJsonChunks('JKS', entries)];
      expect(chunks.join('')).toBe(`${JSON.stringify({ format: 'JKS', entries }, null, 2)}\n`);
      if (count === 2000) expect(chunks.length).toBeGreaterThan(5);
    }
  });
});
