import { createHmac, pbkdf2Sync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDer } from '../../../src/asn1/der_reader.js';
import { algorithmIdentifier, bmpString, explicit, integer, nullValue, octetString, oid, sequence, setOf } from '../../../src/asn1/der_writer.js';
import { OID } from '../../../src/asn1/oids.js';
import { encryptPrivateKeyInfo } from '../../../src/crypto/pbe/encrypted_private_key_info.js';
import { pbkdf2Algorithm } from '../../../src/crypto/pbe/pbkdf2.js';
import { HapkiError } from '../../../src/errors.js';
import { utf8 } from '../../../src/lib/bytes.js';
import { readPkcs12 } from '../../../src/keystore/pkcs12/read.js';
import { writePkcs12 } from '../../../src/keystore/pkcs12/write.js';
import { tempDir } from '../../helpers/tools.js';
import { authSafeOf, buildPfx, contentOffset, dataContentInfo, makeMaterial, storeOf, type Material } from './pfx_builder.js';

const dir = tempDir();
let m: Material;

beforeAll(async () => {
  m = await makeMaterial(dir);
});

const attr = (id: string, value: Uint8Array): Uint8Array => sequence(oid(id), setOf(value));
const name = (alias: string): Uint8Array => attr(OID.friendlyName, bmpString(alias));
const keyId = (id: string): Uint8Array => attr(OID.localKeyId, octetString(utf8(id)));
const bag = (type: string, value: Uint8Array, ...attributes: Uint8Array[]): Uint8Array =>
  attributes.length ? sequence(oid(type), explicit(0, value), setOf(...attributes)) : sequence(oid(type), explicit(0, value));
const certBag = (der: Uint8Array, ...attributes: Uint8Array[]): Uint8Array =>
  bag(OID.certBag, sequence(oid(OID.x509Certificate), explicit(0, octetString(der))), ...attributes);
const trustedAttr = (): Uint8Array => attr(OID.javaTrustedKeyUsage, oid(OID.anyExtendedKeyUsage));

describe('readPkcs12: the MAC', () => {
  it('a wrong password is ERR_KEYSTORE_PASSWORD, for modern and legacy files', async () => {
    for (const legacy of [false, true]) {
      const bytes = await writePkcs12(storeOf([{ type: 'private-key', alias: 'a', key: m.pkcs8, chain: [m.cert] }]), { password: 'right', legacy });
      await expect(readPkcs12(bytes, { password: 'wrong' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
      await expect(readPkcs12(bytes, { password: '' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
    }
  });

  // A MAC that fails is a wrong password unless the password demonstrably decrypts the
  // contents: then the file was altered, ERR_KEYSTORE_INTEGRITY.
  it('a flipped MAC byte is ERR_KEYSTORE_INTEGRITY with the right password, ERR_KEYSTORE_PASSWORD with a wrong one', async () => {
    const bytes = await writePkcs12(storeOf([{ type: 'trusted-cert', alias: 'c', certificate: m.cert }]), { password: 'right' });
    const macValue = readDer(bytes, 'pfx').child(2).child(0).child(1);
    const tampered = Uint8Array.from(bytes);
    tampered[contentOffset(macValue, bytes) + 3]! ^= 1;
    await expect(readPkcs12(tampered, { password: 'right' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_INTEGRITY' });
    await expect(readPkcs12(tampered, { password: 'wrong' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
  });

  it('checks the MAC before decrypting: corrupted ciphertext under a correct MAC is ERR_KEYSTORE_FORMAT', async () => {
    const bytes = await writePkcs12(storeOf([{ type: 'trusted-cert', alias: 'c', certificate: m.cert }]), { password: 'pw' });
    const authSafe = authSafeOf(bytes);
    const encrypted = readDer(authSafe, 'authSafe').child(0).child(1).child(0).child(1).child(2);
    for (const position of ['last', 'middle'] as const) {
      const altered = Uint8Array.from(authSafe);
      const at = contentOffset(encrypted, authSafe) + (position === 'last' ? encrypted.content.length - 1 : 40);
      altered[at]! ^= 0x55;
      // Without a fresh MAC the MAC catches it: a ruined last block leaves no way to tell the
      // password is right (ERR_KEYSTORE_PASSWORD); a block in the middle still decrypts (INTEGRITY).
      const unmacced = Uint8Array.from(bytes);
      unmacced.set(altered, contentOffset(readDer(bytes, 'pfx').child(1).child(1).child(0), bytes));
      const code = position === 'last' ? 'ERR_KEYSTORE_PASSWORD' : 'ERR_KEYSTORE_INTEGRITY';
      await expect(readPkcs12(unmacced, { password: 'pw' })).rejects.toMatchObject({ code });
      await expect(readPkcs12(await buildPfx(altered, 'pw'), { password: 'pw' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    }
  });

  it('an absurd MAC iteration count is ERR_KEYSTORE_FORMAT at once', async () => {
    const authSafe = sequence(dataContentInfo(sequence(certBag(m.cert, name('c')))));
    const macData = sequence(sequence(algorithmIdentifier(OID.sha256, nullValue()), octetString(new Uint8Array(32))), octetString(new Uint8Array(8)), integer(2 ** 31 - 1));
    const started = Date.now();
    await expect(readPkcs12(sequence(integer(3), dataContentInfo(authSafe), macData), { password: 'pw' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('an absurd PBKDF2 iteration count inside MAC-verified contents is ERR_KEYSTORE_FORMAT at once', async () => {
    const kdf = algorithmIdentifier(OID.pbkdf2, sequence(octetString(new Uint8Array(16)), integer(4_000_000_000)));
    const scheme = algorithmIdentifier(OID.pbes2, sequence(kdf, algorithmIdentifier(OID.aes256CBC, octetString(new Uint8Array(16)))));
    const encryptedData = sequence(integer(0), sequence(oid(OID.data), scheme, new Uint8Array([0x80, 16, ...new Uint8Array(16)])));
    const authSafe = sequence(sequence(oid(OID.encryptedData), explicit(0, encryptedData)));
    const started = Date.now();
    await expect(readPkcs12(await buildPfx(authSafe, 'pw'), { password: 'pw' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('an unknown encryption OID is ERR_UNSUPPORTED_ALGORITHM naming it', async () => {
    const scheme = algorithmIdentifier('1.2.3.4.99', sequence(octetString(new Uint8Array(8)), integer(1)));
    const encryptedData = sequence(integer(0), sequence(oid(OID.data), scheme, new Uint8Array([0x80, 16, ...new Uint8Array(16)])));
    const authSafe = sequence(sequence(oid(OID.encryptedData), explicit(0, encryptedData)));
    await expect(readPkcs12(await buildPfx(authSafe, 'pw'), { password: 'pw' })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM', algorithm: '1.2.3.4.99' });
    const keyBag = bag(OID.pkcs8ShroudedKeyBag, sequence(scheme, octetString(new Uint8Array(16))), name('k'));
    const authSafe2 = sequence(dataContentInfo(sequence(keyBag)));
    await expect(readPkcs12(await buildPfx(authSafe2, 'pw'), { password: 'pw' })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM', algorithm: '1.2.3.4.99' });
  });

  it('verifies a PBMAC1 (RFC 9579) MAC', async () => {
    const authSafe = sequence(dataContentInfo(sequence(certBag(m.cert, name('c'), trustedAttr()))));
    const salt = new Uint8Array(16).fill(3);
    const key = pbkdf2Sync('pässword', salt, 1000, 32, 'sha256');
    const digest = new Uint8Array(createHmac('sha256', key).update(authSafe).digest());
    const params = sequence(pbkdf2Algorithm({ salt, iterations: 1000, keyLength: 32, prf: 'sha256' }), algorithmIdentifier(OID.hmacWithSHA256, nullValue()));
    const macData = sequence(sequence(algorithmIdentifier(OID.pbmac1, params), octetString(digest)), octetString(utf8('NOT USED')), integer(1));
    const pfx = sequence(integer(3), dataContentInfo(authSafe), macData);
    const store = await readPkcs12(pfx, { password: 'pässword' });
    expect(store.integrityChecked).toBe(true);
    expect(store.entries.map((e) => e.alias)).toEqual(['c']);
    await expect(readPkcs12(pfx, { password: 'password' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
  });

  it('accepts a file without a MAC, marked as integrity unchecked', async () => {
    const authSafe = sequence(dataContentInfo(sequence(certBag(m.cert, name('c')))));
    const store = await readPkcs12(await buildPfx(authSafe, undefined), { password: 'pw' });
    expect(store.integrityChecked).toBe(false);
    expect(store.warnings.join()).toMatch(/no MAC/);
    expect(store.entries.map((e) => [e.alias, e.type])).toEqual([['c', 'trusted-cert']]);
  });
});

describe('readPkcs12 with privateKeysSealed (what listing reads)', () => {
  it('leaves sealed a key its localKeyId pairs with a certificate, and opens one without: its key is how its certificate is found', async () => {
    const paired = bag(OID.pkcs8ShroudedKeyBag, await encryptPrivateKeyInfo(m.pkcs8, 'pw', { iterations: 1 }), name('a'), keyId('k1'));
    const loose = bag(OID.pkcs8ShroudedKeyBag, await encryptPrivateKeyInfo(m.leafKey, 'pw', { iterations: 1 }), name('leaf'));
    const authSafe = sequence(dataContentInfo(sequence(paired, certBag(m.cert, keyId('k1')), loose, certBag(m.leafSignedByCa), certBag(m.caCert))));
    const store = await readPkcs12(await buildPfx(authSafe, 'pw'), { password: 'pw', privateKeysSealed: true });
    expect(store.entries[0]).toMatchObject({ alias: 'a', chain: [m.cert], sealed: { reason: 'not-opened' } });
    expect(store.entries[0]).not.toHaveProperty('key');
    expect(store.entries.find((e) => e.alias === 'leaf')).toMatchObject({ key: m.leafKey, chain: [m.leafSignedByCa, m.caCert] });
  });
});

describe('readPkcs12: passwords', () => {
  it('without a password, when neither "" nor the absent password opens the MAC: ERR_KEYSTORE_PASSWORD', async () => {
    const bytes = await writePkcs12(storeOf([{ type: 'private-key', alias: 'a', key: m.pkcs8, chain: [m.cert] }]), { password: 'pw' });
    await expect(readPkcs12(bytes)).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
  });

  it('tries "" and then the absent password when none is given', async () => {
    for (const macPassword of ['', null]) {
      const keyBag = bag(OID.pkcs8ShroudedKeyBag, await encryptPrivateKeyInfo(m.pkcs8, macPassword, { legacy: true, iterations: 1 }), name('a'), keyId('1'));
      const authSafe = sequence(dataContentInfo(sequence(keyBag, certBag(m.cert, keyId('1')))));
      const store = await readPkcs12(await buildPfx(authSafe, macPassword, 'sha1'));
      expect(store.integrityChecked).toBe(true);
      expect(store.entries[0]).toMatchObject({ alias: 'a', key: m.pkcs8, chain: [m.cert] });
    }
  });

  describe('a key under a password of its own', () => {
    let pfx: Uint8Array;
    beforeAll(async () => {
      const keyBag = bag(OID.pkcs8ShroudedKeyBag, await encryptPrivateKeyInfo(m.pkcs8, 'keypass', { iterations: 1 }), name('a'), keyId('k1'));
      const authSafe = sequence(dataContentInfo(sequence(keyBag, certBag(m.cert, name('a'), keyId('k1')))));
      pfx = await buildPfx(authSafe, 'storepass');
    });

    it('stays sealed when only the store password is given', async () => {
      const store = await readPkcs12(pfx, { password: 'storepass' });
      expect(store.entries[0]).toMatchObject({ alias: 'a', chain: [m.cert], sealed: { reason: 'wrong-password' } });
      expect(store.entries[0]).not.toHaveProperty('key');
    });

    it('opens with keyPassword or keyPasswords[alias], recording the entry password', async () => {
      for (const options of [{ keyPassword: 'keypass' }, { keyPasswords: { a: 'keypass' }, keyPassword: 'other' }]) {
        const store = await readPkcs12(pfx, { password: 'storepass', ...options });
        expect(store.entries[0]).toMatchObject({ alias: 'a', key: m.pkcs8, password: 'keypass' });
      }
    });

    it('an explicit wrong key password is ERR_KEY_PASSWORD naming the alias', async () => {
      await expect(readPkcs12(pfx, { password: 'storepass', keyPassword: 'nope' })).rejects.toMatchObject({ code: 'ERR_KEY_PASSWORD', alias: 'a' });
    });

    it('a sealed key survives a rewrite and opens afterwards', async () => {
      const sealed = await readPkcs12(pfx, { password: 'storepass' });
      const rewritten = await writePkcs12(sealed, { password: 'storepass' });
      const store = await readPkcs12(rewritten, { password: 'storepass', keyPassword: 'keypass' });
      expect(store.entries[0]).toMatchObject({ alias: 'a', key: m.pkcs8, chain: [m.cert] });
    });
  });
});

describe('readPkcs12: bags and entries', () => {
  it('pairs by localKeyId, else by public key, and builds chains leaf first', async () => {
    const authSafe = sequence(
      dataContentInfo(sequence(certBag(m.caCert), certBag(m.cert), certBag(m.leafSignedByCa, keyId('L')))),
      dataContentInfo(sequence(bag(OID.keyBag, m.leafKey, name('leaf'), keyId('L')), bag(OID.keyBag, m.pkcs8, name('self')))),
    );
    const store = await readPkcs12(await buildPfx(authSafe, 'pw'), { password: 'pw' });
    expect(store.entries).toEqual([
      { type: 'private-key', alias: 'self', key: m.pkcs8, chain: [m.cert] },
      { type: 'private-key', alias: 'leaf', key: m.leafKey, chain: [m.leafSignedByCa, m.caCert] },
    ]);
  });

  it('lists a Java-trusted CA also used in a chain, and numbers unnamed entries', async () => {
    const authSafe = sequence(
      dataContentInfo(sequence(bag(OID.keyBag, m.leafKey, keyId('L')), certBag(m.leafSignedByCa, keyId('L')), certBag(m.caCert), certBag(m.caCert, trustedAttr()), certBag(m.cert))),
    );
    const store = await readPkcs12(await buildPfx(authSafe, 'pw'), { password: 'pw' });
    expect(store.entries.map((e) => [e.alias, e.type])).toEqual([
      ['1', 'private-key'],
      ['2', 'trusted-cert'],
      ['3', 'trusted-cert'],
    ]);
    expect(store.entries[0]).toMatchObject({ chain: [m.leafSignedByCa, m.caCert] });
  });

  it('follows safeContentsBag, skips CRL and unknown bags with warnings, renames duplicate aliases', async () => {
    const nested = bag(OID.safeContentsBag, sequence(certBag(m.cert, name('dup'), trustedAttr())));
    const authSafe = sequence(
      dataContentInfo(sequence(nested, bag(OID.crlBag, sequence(oid('1.2.3'), explicit(0, octetString(new Uint8Array(1))))), bag('1.2.3.4', nullValue()), certBag(m.caCert, name('DUP'), trustedAttr()))),
    );
    const store = await readPkcs12(await buildPfx(authSafe, 'pw'), { password: 'pw' });
    expect(store.entries.map((e) => e.alias)).toEqual(['dup', 'DUP (2)']);
    expect(store.warnings.join('\n')).toMatch(/CRL/);
    expect(store.warnings.join('\n')).toMatch(/1\.2\.3\.4/);
    expect(store.warnings.join('\n')).toMatch(/DUP/);
  });

  it('refuses public-key modes by their OIDs', async () => {
    const signed = sequence(integer(3), sequence(oid('1.2.840.113549.1.7.2'), explicit(0, sequence())));
    await expect(readPkcs12(signed, { password: 'pw' })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM', algorithm: '1.2.840.113549.1.7.2' });
    const enveloped = sequence(sequence(oid(OID.envelopedData), explicit(0, sequence())));
    await expect(readPkcs12(await buildPfx(enveloped, 'pw'), { password: 'pw' })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM', algorithm: OID.envelopedData });
  });

  it('refuses a PFX version other than 3', async () => {
    await expect(readPkcs12(sequence(integer(2), dataContentInfo(sequence())), {})).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
  });
});

describe('readPkcs12: malformed input', () => {
  let good: Uint8Array;
  beforeAll(async () => {
    good = await writePkcs12(
      storeOf([
        { type: 'private-key', alias: 'a', key: m.pkcs8, chain: [m.cert] },
        { type: 'trusted-cert', alias: 't', certificate: m.caCert },
        { type: 'secret-key', alias: 's', algorithm: 'AES', key: new Uint8Array(16) },
      ]),
      { password: 'pw', iterations: 1 },
    );
  });

  it('every truncation is ERR_KEYSTORE_FORMAT and nothing else', async () => {
    for (let n = 0; n < good.length; n++) {
      await expect(readPkcs12(good.subarray(0, n), { password: 'pw' }), `truncated to ${n}`).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    }
  });

  it('truncated contents under a fresh MAC are ERR_KEYSTORE_FORMAT', async () => {
    const authSafe = authSafeOf(good);
    for (let n = 0; n < authSafe.length; n += 7) {
      await expect(readPkcs12(await buildPfx(authSafe.subarray(0, n), 'pw'), { password: 'pw' }), `cut at ${n}`).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    }
  });

  it('any flipped byte gives a hapki error (or a readable store), never a crash', async () => {
    const allowed = ['ERR_KEYSTORE_FORMAT', 'ERR_KEYSTORE_PASSWORD', 'ERR_KEYSTORE_INTEGRITY', 'ERR_UNSUPPORTED_ALGORITHM'];
    const authSafe = authSafeOf(good);
    for (let i = 0; i < authSafe.length; i++) {
      const altered = Uint8Array.from(authSafe);
      altered[i]! ^= i % 2 ? 0x80 : 0x01;
      try {
        await readPkcs12(await buildPfx(altered, 'pw'), { password: 'pw' });
      } catch (error) {
        expect(error, `flip at ${i}: ${String(error)}`).toBeInstanceOf(HapkiError);
        expect(allowed, `flip at ${i}: ${String(error)}`).toContain((error as HapkiError).code);
      }
    }
  });

  it('garbage is ERR_KEYSTORE_FORMAT', async () => {
    for (const bytes of [new Uint8Array(0), utf8('-----BEGIN CERTIFICATE-----'), Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff), sequence()]) {
      await expect(readPkcs12(bytes, { password: 'pw' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    }
  });
});
