import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  caEntry,
  createCa,
  createCsr,
  getEntry,
  installReply,
  issuerFromEntry,
  openKeystore,
  parseSan,
  saveKeystore,
  sha256Hex,
  signCsr,
} from '../dist/index.js';
import { FIXTURES } from './helpers/fixtures.js';
import { keytool, tempDir } from './helpers/tools.js';

const dir = tempDir();

describe("README's library example", () => {
  it('re-issues a node certificate through the package entry point, and keytool sees both names', async () => {
    const gateway = join(dir, 'gateway.jks');
    copyFileSync(join(FIXTURES, 'gateway.jks'), gateway);
    const created = await createCa({ subject: 'CN=Example Root CA,O=Example', key: { kty: 'ec' } });
    await saveKeystore(join(dir, 'ca.p12'), created.store, { password: 'ca-secret' });

    // the README's code, with its files in the test's directory
    const password = 'changeit';
    const node = await openKeystore(gateway, { password });
    const ca = await openKeystore(join(dir, 'ca.p12'), { password: 'ca-secret' });
    const entry = getEntry(node, 'server1');
    if (entry.type !== 'private-key') throw new Error('not a key entry');
    const { csr } = await createCsr(entry);
    const signed = await signCsr(csr, await issuerFromEntry(caEntry(ca)), { sans: [parseSan('lbrhost.example.com')] });
    const root = signed.chain[signed.chain.length - 1]!;
    const { store } = await installReply(node, { alias: 'server1', reply: signed.chain, trustRoot: sha256Hex(root) });
    await saveKeystore(gateway, store, { password, force: true });

    const listing = (await keytool(['-list', '-v', '-keystore', gateway, '-storepass', password, '-alias', 'server1'])).stdout;
    expect(listing).toContain('Certificate chain length: 2');
    expect(listing).toContain('DNSName: msas1.example.com');
    expect(listing).toContain('DNSName: lbrhost.example.com');
  });
});
