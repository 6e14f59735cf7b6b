import { describe, expect, it } from 'vitest';
import { convertKeystore } from '../../src/keystore/convert.js';
import type { Keystore } from '../../src/keystore/model.js';
import { secretKeyAlgorithmName, secretKeyOid } from '../../src/keystore/pkcs12/secret_key_algorithms.js';

const store = (format: Keystore['format']): Keystore => ({
  format,
  integrityChecked: true,
  warnings: [],
  entries: [
    { type: 'private-key', alias: 'gw', key: Uint8Array.of(1, 2, 3), chain: [], password: 'old-key-pass' },
    { type: 'secret-key', alias: 'rc4', algorithm: 'ARCFOUR', key: new Uint8Array(16) },
    { type: 'secret-key', alias: 'odd', algorithm: 'Serpent', key: new Uint8Array(16) },
  ],
});

describe('convertKeystore: keys under the output password', () => {
  it('drops a source key password in the same format too (JKS -> JKS), and says so per key', () => {
    const { store: out, keys } = convertKeystore(store('JCEKS'), 'JCEKS');
    expect(out.entries.find((e) => e.alias === 'gw')).not.toHaveProperty('password');
    expect(keys).toEqual([
      { alias: 'gw', protection: 'output-password' },
      { alias: 'rc4', protection: 'output-password' },
      { alias: 'odd', protection: 'output-password' },
    ]);
  });

  it('gives a key a password of its own only when asked (--keypass-out), and only where the format has one', () => {
    const { store: out, keys } = convertKeystore(store('JCEKS'), 'JKS', { keyPasswords: { GW: 'asked' } });
    expect(out.entries[0]).toMatchObject({ alias: 'gw', password: 'asked' });
    expect(keys).toEqual([{ alias: 'gw', protection: 'own-password' }]);
    expect(() => convertKeystore(store('JCEKS'), 'PKCS12', { keyPasswords: { gw: 'asked' } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('leaves out, naming it, a secret key PKCS#12 has no identifier for; keeps the rest', () => {
    const { store: out, skipped } = convertKeystore(store('JCEKS'), 'PKCS12');
    expect(out.entries.map((e) => e.alias)).toEqual(['gw', 'rc4']);
    expect(skipped).toEqual([{ alias: 'odd', reason: 'PKCS12 has no identifier for Serpent secret keys' }]);
  });

  // regression: the refusal of e8d10c4 sent such a key to "JCEKS or PKCS12", the very format that refused it
  it('a store whose every entry is such a key is refused, pointing at JCEKS alone; one of keys PKCS#12 names, at both', () => {
    const [, rc4, serpent] = store('JCEKS').entries;
    const only = (...entries: Keystore['entries']): Keystore => ({ ...store('JCEKS'), entries });
    expect(() => convertKeystore(only(serpent!), 'PKCS12')).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_ENTRY', message: 'none of the 1 entries can go into PKCS12: PKCS12 has no identifier for Serpent secret keys (secret keys go into JCEKS)' }));
    expect(() => convertKeystore(only(serpent!, rc4!), 'JKS')).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_ENTRY', message: 'none of the 2 entries can go into JKS: JKS cannot hold secret-key entries (secret keys go into JCEKS)' }));
    expect(() => convertKeystore(only(rc4!), 'PEM')).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_ENTRY', message: 'none of the 1 entries can go into PEM: PEM cannot hold secret-key entries (secret keys go into JCEKS or PKCS12)' }));
  });
});

describe('secret-key algorithm names and OIDs, as the JDK writes and reads them', () => {
  it.each([
    ['AES', '2.16.840.1.101.3.4.1'],
    ['DESede', '1.3.14.3.2.17'],
    ['ARCFOUR', '1.2.840.113549.3.4'],
    ['PBEWithMD5AndDES', '1.2.840.113549.1.5.3'],
    ['HmacSHA384', '1.2.840.113549.2.10'],
    ['Blowfish', '1.3.6.1.4.1.3029.1.2'],
    ['ChaCha20', '1.2.840.113549.1.9.16.3.18'],
  ])('%s <-> %s', (name, oid) => {
    expect(secretKeyOid(name)).toBe(oid);
    expect(secretKeyAlgorithmName(oid)).toBe(name);
  });

  it('every password entry goes under the OID the JDK writes for them, RC4 as ARCFOUR', () => {
    expect(secretKeyOid('PBEWithHmacSHA256AndAES_128')).toBe('1.2.840.113549.1.5.3');
    expect(secretKeyOid('PBE')).toBe('1.2.840.113549.1.5.3');
    expect(secretKeyOid('RC4')).toBe('1.2.840.113549.3.4');
    expect(secretKeyOid('Serpent')).toBeUndefined();
  });
});
