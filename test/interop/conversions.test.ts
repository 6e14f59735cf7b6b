import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/digest.js';
import { convertKeystore } from '../../src/keystore/convert.js';
import type { Keystore, KeystoreFormat, PrivateKeyEntry } from '../../src/keystore/model.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { KEY_KINDS, opensslFingerprint, opensslKeyAndCert, opensslKeyMatchesCert } from '../helpers/keys.js';
import { keytool, keytoolFingerprints, tempDir } from '../helpers/tools.js';

const dir = tempDir();
const PASSWORD = 'conv-pass';
const STORETYPE: Partial<Record<KeystoreFormat, string>> = { PKCS12: 'PKCS12', JKS: 'JKS', JCEKS: 'JCEKS' };
const ROUTE: readonly KeystoreFormat[] = ['PKCS12', 'JKS', 'JCEKS', 'PKCS12', 'PEM', 'JCEKS', 'JKS', 'PEM'];

describe.each(KEY_KINDS)('a %s key and certificate through every conversion', (kind) => {
  it('keeps the key bytes and the certificate, as keytool and openssl see them at each step', async () => {
    const { key, cert } = await opensslKeyAndCert(dir, `conv-${kind}`, kind);
    const expectedFingerprint = await opensslFingerprint(cert);
    const bundle = join(dir, `conv-${kind}-bundle.pem`);
    writeFileSync(bundle, readFileSync(key, 'utf8') + readFileSync(cert, 'utf8'));
    let store: Keystore = await readKeystore(new Uint8Array(readFileSync(bundle)));
    const originalKey = (store.entries[0] as PrivateKeyEntry).key!;

    for (const [step, format] of ROUTE.entries()) {
      const { store: converted, skipped } = convertKeystore(store, format);
      expect(skipped).toEqual([]);
      const bytes = await writeKeystore(converted, { password: PASSWORD });
      const file = join(dir, `conv-${kind}-${step}.${format.toLowerCase()}`);
      writeFileSync(file, bytes);
      const storetype = STORETYPE[format];
      if (storetype) {
        const listing = await keytool(['-list', '-v', '-keystore', file, '-storetype', storetype, '-storepass', PASSWORD]);
        expect(listing.stdout, `${format} step ${step}`).toMatch(/Entry type: PrivateKeyEntry/);
        expect(keytoolFingerprints(listing.stdout)).toEqual([expectedFingerprint]);
      } else {
        expect(await opensslKeyMatchesCert(file, file, PASSWORD), `${format} step ${step}`).toBe(true);
      }
      store = await readKeystore(bytes, { password: PASSWORD });
      const entry = store.entries[0] as PrivateKeyEntry;
      expect(store.format).toBe(format);
      expect(entry.type).toBe('private-key');
      expect(Buffer.from(entry.key!).equals(Buffer.from(originalKey))).toBe(true);
      expect(entry.chain.map(sha256Hex)).toEqual([expectedFingerprint]);
    }
  });
});
