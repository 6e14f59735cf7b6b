import { describe, expect, it } from 'vitest';
import { certificateToTrust, checkImportRequest, importChange, passwordlessStore, type ImportRequest } from '../../src/issue/import_change.js';
import { emptyKeystore } from '../../src/keystore/model.js';

/**
 * `hapki import` refuses an inconsistent request before reading anything; the checks are the
 * library's, so a library caller gets the same ERR_USAGE, in the same order.
 */
const usage = (message: string): unknown => expect.objectContaining({ code: 'ERR_USAGE', message });

describe('checkImportRequest', () => {
  it('wants a reply or a certificate to trust, not both', () => {
    expect(() => checkImportRequest({})).toThrow(usage('give one of --reply or --trusted'));
    expect(() => checkImportRequest({ reply: 'r.pem', trusted: 'ca.pem' })).toThrow(usage('give one of --reply or --trusted'));
  });
  it('the chain options only with a reply, checked after the choice', () => {
    for (const given of [{ ca: ['x.pem'] }, { trustRoot: 'ab' }, { allowSha1: true }]) {
      expect(() => checkImportRequest({ trusted: 'ca.pem', ...given })).toThrow(usage('--ca, --trust-root and --allow-sha1 go with --reply'));
      expect(() => checkImportRequest({ reply: 'r.pem', ...given })).not.toThrow();
    }
    expect(() => checkImportRequest({ ca: ['x.pem'] })).toThrow(usage('give one of --reply or --trusted'));
  });
  it('importChange refuses a request holding both before it touches a keystore', () => {
    const both = { reply: { alias: 'a', reply: [] }, trusted: { alias: 'a', certificate: new Uint8Array() } } as unknown as ImportRequest;
    expect(() => importChange(both)).toThrow(usage('give one of --reply or --trusted'));
  });
});

describe('certificateToTrust', () => {
  it('takes the first certificate and says what becomes of the rest', () => {
    const a = new Uint8Array([1]);
    expect(certificateToTrust([{ der: a }], 'ca.pem')).toEqual({ certificate: a, warnings: [] });
    expect(certificateToTrust([{ der: a }, { der: new Uint8Array([2]) }], 'ca.pem')).toEqual({ certificate: a, warnings: ['ca.pem holds 2 certificates: adding the first'] });
  });
});

describe('passwordlessStore', () => {
  it('is a store of certificates only in PEM or DER, or a PKCS#12 without protection', () => {
    expect(passwordlessStore(emptyKeystore('PEM'))).toBe(true);
    expect(passwordlessStore(emptyKeystore('JKS'))).toBe(false);
    expect(passwordlessStore({ ...emptyKeystore('PKCS12'), protection: { unprotected: true } } as never)).toBe(true);
  });
});
