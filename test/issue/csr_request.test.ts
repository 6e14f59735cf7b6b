import { describe, expect, it } from 'vitest';
import { emptyKeystore } from '../../src/keystore/model.js';
import { checkCsrRequest, newKeyRequestChanges } from '../../src/issue/new_key_request_files.js';
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
