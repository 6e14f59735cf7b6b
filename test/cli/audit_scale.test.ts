import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditJson } from '../../src/audit/report/json.js';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { emptyKeystore } from '../../src/keystore/model.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { hapki } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';

/**
 * An audit of many keystores, through the built binary so that the worker-thread pool reads the
 * PKCS#12 files. Correctness only: how long it took is printed, not asserted.
 */
const dir = tempDir('hapki-audit-scale-');
const STORES = 300;
const PW = 'scale-secret';

beforeAll(async () => {
  // ten distinct stores (different validities), each written thirty times under other names: every
  // file still costs a full PKCS#12 read, with the writer's default iteration counts
  const variants: Uint8Array[] = [];
  for (let v = 0; v < 10; v++) {
    const { store } = await requestWithNewKey(emptyKeystore('PKCS12'), { alias: `node${v}`, subject: `CN=node${v}.example.com`, key: { kty: 'ec', curve: 'P-256' }, days: v === 0 ? 5 : 100 + v });
    variants.push(await writeKeystore(store, { format: 'PKCS12', password: PW }));
  }
  for (let i = 0; i < STORES; i++) {
    const sub = join(dir, 'stores', `rack${i % 7}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `gw${String(i).padStart(3, '0')}.p12`), variants[i % variants.length]!);
  }
  writeFileSync(join(dir, 'stores', 'README'), 'not a keystore\n');
});

describe('hapki audit at scale', () => {
  it(`audits ${STORES} PKCS#12 keystores`, async () => {
    const started = Date.now();
    const r = await hapki(['audit', join(dir, 'stores'), '--storepass', 'env:PW', '--format', 'json'], { env: { PW } });
    const ms = Date.now() - started;
    console.log(`hapki audit of ${STORES} PKCS#12 keystores: ${ms} ms`);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout) as AuditJson;
    expect(json.sources).toHaveLength(STORES);
    expect(json.sources.every((s) => s.format === 'PKCS12' && !s.error)).toBe(true);
    expect(json.certificates).toHaveLength(STORES);
    // every tenth store holds the certificate that expires in 5 days
    expect(json.summary).toMatchObject({ certificates: STORES, critical: STORES / 10, warning: 0, unknown: 0 });
    expect(json.certificates.slice(0, STORES / 10).every((c) => c.subject === 'CN=node0.example.com' && c.checks.join() === 'expires-critical')).toBe(true);
  });
});
