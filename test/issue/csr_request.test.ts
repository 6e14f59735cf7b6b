import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyKeystore } from '../../src/keystore/model.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';
import { pemArmor } from '../../src/keystore/pem/pem_blocks.js';
import { checkCsrRequest, commitNewKeyRequest, newKeyRequestChanges } from '../../src/issue/new_key_request_files.js';
import type { NewKeyRequestOptions } from '../../src/issue/create_key_entry.js';

/**
 * `hapki csr` refuses an inconsistent request before reading the keystore; the checks are the
 * library's, so a library caller gets the same ERR_USAGE, in the same order.
 */
const usage = (message: string): unknown => expect.objectContaining({ code: 'ERR_USAGE', message });

describe('checkCsrRequest', () => {
  it('key parameters and a store format only with a new key', () => {
    for (const given of [{ kty: 'ec' }, { bits: '2048' }, { curve: 'P-256' }, { storeFormat: 'jks' }]) {
      expect(() => checkCsrRequest({ alias: 'a', ...given })).toThrow(usage('--kty, --bits, --curve and --store-format go with --new-key'));
    }
    expect(() => checkCsrRequest({ newKey: true, subject: 'CN=a', alias: 'a', kty: 'ec', bits: '1', curve: 'P-256', storeFormat: 'jks' })).not.toThrow();
  });
  it('a new key needs its subject, then its alias', () => {
    expect(() => checkCsrRequest({ newKey: true })).toThrow(usage('--new-key needs --subject'));
    expect(() => checkCsrRequest({ newKey: true, subject: 'CN=a' })).toThrow(usage('--new-key needs --alias: the name of the new entry'));
    expect(() => checkCsrRequest({ subject: 'CN=a' })).not.toThrow();
  });
  it('the key parameters are checked first', () => {
    expect(() => checkCsrRequest({ newKey: false, kty: 'ec' })).toThrow(usage('--kty, --bits, --curve and --store-format go with --new-key'));
  });
});

describe('newKeyRequestChanges', () => {
  it('refuses a request without subject or alias before making a key', async () => {
    const keystore = { path: 'gw.p12', store: emptyKeystore('PKCS12'), password: 'pw', sha256: null };
    await expect(newKeyRequestChanges(keystore, { alias: 'a' } as NewKeyRequestOptions)).rejects.toMatchObject({ code: 'ERR_USAGE', message: '--new-key needs --subject' });
    await expect(newKeyRequestChanges(keystore, { subject: 'CN=a' } as NewKeyRequestOptions)).rejects.toMatchObject({ code: 'ERR_USAGE', message: '--new-key needs --alias: the name of the new entry' });
  });
});

describe('commitNewKeyRequest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapki-csr-commit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const request: NewKeyRequestOptions = { alias: 'msas1', subject: 'CN=msas1.example.com', key: { kty: 'ec', curve: 'P-256' } };

  it('makes the keystore with the new key and the request beside it, in one commit', async () => {
    const path = join(dir, 'new.p12');
    const asked: boolean[] = [];
    const csr = await commitNewKeyRequest(
      path,
      async (exists) => {
        asked.push(exists);
        return { store: emptyKeystore('PKCS12'), password: 'changeit' };
      },
      request,
      { path: join(dir, 'new.csr'), force: false },
    );
    expect(asked).toEqual([false]);
    const store = await readKeystore(new Uint8Array(readFileSync(path)), { password: 'changeit' });
    expect(store.entries.map((e) => e.alias)).toEqual(['msas1']);
    expect(readFileSync(join(dir, 'new.csr'), 'utf8')).toBe(pemArmor('CERTIFICATE REQUEST', csr));
  });

  it('opens an existing keystore as existing, and refuses to rewrite one without its password: nothing written', async () => {
    const path = join(dir, 'new.p12');
    const before = readFileSync(path);
    const asked: boolean[] = [];
    const refused = commitNewKeyRequest(
      path,
      async (exists) => {
        asked.push(exists);
        return { store: emptyKeystore('PKCS12') };
      },
      { ...request, alias: 'msas2' },
      { path: join(dir, 'second.csr'), force: false },
    );
    await expect(refused).rejects.toMatchObject({ code: 'ERR_PASSWORD_REQUIRED' });
    expect(asked).toEqual([true]);
    expect(readFileSync(path)).toEqual(before);
    expect(existsSync(join(dir, 'second.csr'))).toBe(false);
  });
});
