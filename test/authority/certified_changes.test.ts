import { describe, expect, it } from 'vitest';
import { certifiedKeystoreChanges } from '../../src/authority/issue_with_ca.js';
import { emptyKeystore } from '../../src/keystore/model.js';
import { pemArmor } from '../../src/keystore/pem/pem_blocks.js';

/**
 * `ca init` and `token issue` commit a new keystore, the certificate as PEM where asked and the
 * CA's record of it in one change set, built by the library: every one of them is written or none.
 */
describe('certifiedKeystoreChanges', () => {
  const store = emptyKeystore('PEM');
  const certificate = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);
  const record = { path: 'ca.p12.issued.jsonl', action: 'write' as const, content: 'line\n' };

  it('the keystore, then the certificate as PEM, then the record', async () => {
    const changes = await certifiedKeystoreChanges({ made: { store, certificate }, record }, { path: 'ca.pem', force: true, certificatePath: 'ca.crt' });
    expect(changes.map((c) => c.path)).toEqual(['ca.pem', 'ca.crt', 'ca.p12.issued.jsonl']);
    expect(changes[0]).toMatchObject({ action: 'write', force: true, backup: true });
    expect(changes[1]).toEqual({ path: 'ca.crt', action: 'write', content: pemArmor('CERTIFICATE', certificate), force: true, backup: true });
    expect(changes[2]).toBe(record);
  });
  it('only the keystore for a self-signed certificate kept in it alone', async () => {
    const changes = await certifiedKeystoreChanges({ made: { store, certificate }, record: undefined }, { path: 'token.pem', force: false });
    expect(changes.map((c) => c.path)).toEqual(['token.pem']);
    expect(changes[0]).toMatchObject({ force: false });
  });
});
