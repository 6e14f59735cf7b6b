import { describe, expect, it } from 'vitest';
import { formatPkcs11Uri, isPkcs11Uri, parsePkcs11Uri } from '../../src/pkcs11/uri.js';

describe('parsePkcs11Uri (RFC 7512)', () => {
  it('reads path attributes, percent-decoding, a binary id and the query', () => {
    const uri = parsePkcs11Uri('pkcs11:token=hapki%20ca;object=ca;id=%01%ff;type=private;slot-id=3?pin-source=env:HSM_PIN&module-path=/usr/lib/softhsm/libsofthsm2.so');
    expect(uri).toEqual({
      token: 'hapki ca',
      object: 'ca',
      id: Uint8Array.of(1, 255),
      type: 'private',
      slotId: 3,
      pinSource: 'env:HSM_PIN',
      modulePath: '/usr/lib/softhsm/libsofthsm2.so',
    });
  });

  it('takes the RFC examples and ignores vendor attributes', () => {
    expect(parsePkcs11Uri('pkcs11:')).toEqual({});
    expect(parsePkcs11Uri('pkcs11:object=my-pubkey;type=public')).toEqual({ object: 'my-pubkey', type: 'public' });
    expect(parsePkcs11Uri('pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.;x-vendor=1?pin-value=the-pin')).toEqual({
      token: 'Software PKCS#11 softtoken',
      manufacturer: 'Snake Oil, Inc.',
      pinValue: 'the-pin',
    });
    expect(isPkcs11Uri('PKCS11:token=a')).toBe(true);
    expect(isPkcs11Uri('ca.p12')).toBe(false);
  });

  it.each([
    ['token=a', 'starts with'],
    ['pkcs11:tokn=a', '"tokn"'],
    ['pkcs11:token=a;token=b', 'twice'],
    ['pkcs11:object=%zz', '"object"'],
    ['pkcs11:type=key', '"type"'],
    ['pkcs11:token', 'no value'],
    ['pkcs11:object=a?pin-value=x&pin-value=y', 'twice'],
    ['pkcs11:object=a?token=x', 'query attribute "token"'],
    ['pkcs11:slot-id=x1', '"slot-id"'],
    ['pkcs11:object=%c3%28', 'UTF-8'],
  ])('refuses %s with ERR_PKCS11_URI, naming the attribute', (text, says) => {
    expect(() => parsePkcs11Uri(text)).toThrow(expect.objectContaining({ code: 'ERR_PKCS11_URI', message: expect.stringContaining(says) }));
  });

  it('never repeats a value in its message (a pin-value may be in the URI)', () => {
    const attempt = () => parsePkcs11Uri('pkcs11:object=ca?pin-value=s3cr3t%zz');
    expect(attempt).toThrow(expect.objectContaining({ code: 'ERR_PKCS11_URI' }));
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cr3t');
    }
  });

  it('formats without PIN or module, round-tripping the names', () => {
    const text = formatPkcs11Uri(parsePkcs11Uri('pkcs11:token=hapki%3Bca;object=ca;id=%0a?pin-value=1234'));
    expect(text).toBe('pkcs11:token=hapki%3Bca;id=%0a;object=ca');
    expect(parsePkcs11Uri(text)).toEqual({ token: 'hapki;ca', object: 'ca', id: Uint8Array.of(10) });
  });
});
