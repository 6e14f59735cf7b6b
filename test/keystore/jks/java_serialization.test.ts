import { describe, expect, it } from 'vitest';
import { javaField, readJavaObject, type JavaObject } from '../../../src/keystore/jks/java_serialization.js';
import { readJceks } from '../../../src/keystore/jks/read.js';
import { readSealedObject, sealSecretKey, sealedObjectParameters, serializeSecretKeySpec, unsealSecretKey } from '../../../src/keystore/jks/sealed_object.js';
import type { SecretKeyEntry } from '../../../src/keystore/model.js';
import { fixture, FIXTURE_PASSWORD } from '../../helpers/fixtures.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'));

/** What JDK 17's SunJCE serializes for a DESede key: a java.security.KeyRep (decrypted from a keytool -genseckey JCEKS). */
const JDK_KEYREP = hex(`
aced0005737200146a6176612e73656375726974792e4b6579526570bdf94fb3889aa5430200044c0009616c676f726974686d7400124c6a6176612f
6c616e672f537472696e673b5b0007656e636f6465647400025b424c0006666f726d617471007e00014c00047479706574001b4c6a6176612f7365
6375726974792f4b657952657024547970653b7870740006444553656465757200025b42acf317f8060854e0020000787000000018bae9026d1f80
753d73cbce1a52bcd051321645ba6445bf577400035241577e7200196a6176612e73656375726974792e4b6579526570245479706500000000000000
001200007872000e6a6176612e6c616e672e456e756d00000000000000001200007870740006534543524554`);

/** And for an AES key from keytool -genseckey: a javax.crypto.spec.SecretKeySpec. */
const JDK_SECRET_KEY_SPEC = hex(`
aced00057372001f6a617661782e63727970746f2e737065632e5365637265744b6579537065635b470b66e230614d0200024c0009616c676f7269
74686d7400124c6a6176612f6c616e672f537472696e673b5b00036b65797400025b427870740003414553757200025b42acf317f8060854e0020000
787000000010465adb866129a819f4c6ebbfc673ee86`);

describe('Java serialization reader', () => {
  it('reads a KeyRep with its enum and shared type signatures', () => {
    const { value, length } = readJavaObject(JDK_KEYREP);
    expect(length).toBe(JDK_KEYREP.length);
    const object = value as JavaObject;
    expect(object.classDesc.name).toBe('java.security.KeyRep');
    expect(javaField(object, 'algorithm')).toBe('DESede');
    expect(javaField(object, 'format')).toBe('RAW');
    expect(javaField(object, 'type')).toMatchObject({ kind: 'enum', constant: 'SECRET', classDesc: { name: 'java.security.KeyRep$Type' } });
    expect(javaField(object, 'encoded')).toMatchObject({ kind: 'array', elements: hex('bae9026d1f80753d73cbce1a52bcd051321645ba6445bf57') });
  });

  it('stops at the end of the object, leaving what follows', () => {
    const withTail = new Uint8Array([...JDK_SECRET_KEY_SPEC, 0, 0, 0, 3]);
    expect(readJavaObject(withTail).length).toBe(JDK_SECRET_KEY_SPEC.length);
  });

  it('gives ERR_KEYSTORE_FORMAT for every truncation', () => {
    for (let n = 0; n < JDK_KEYREP.length; n++) {
      expect(() => readJavaObject(JDK_KEYREP.subarray(0, n)), `at ${n}`).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT' }));
    }
  });

  it('bounds array lengths by the bytes present', () => {
    // TC_ARRAY, new class desc "[B", then a length of 0x7fffffff with no data.
    const stream = hex('aced0005 75 72 0002 5b42 acf317f8060854e0 02 0000 78 70 7fffffff');
    expect(() => readJavaObject(stream)).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT' }));
  });

  it('bounds nesting depth', () => {
    // Object[] holding Object[] holding ... 1000 deep, each a back-reference to the class desc.
    const head = hex('aced0005 75 72 0013 5b4c6a6176612e6c616e672e4f626a6563743b 90ce589f1073296c 02 0000 78 70 00000001');
    const level = hex('75 71 007e0000 00000001');
    const parts = [head];
    for (let i = 0; i < 1000; i++) parts.push(level);
    const stream = new Uint8Array(Buffer.concat(parts));
    expect(() => readJavaObject(stream)).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT', message: expect.stringContaining('deep') }));
  });

  it('refuses a dangling back-reference and an unknown type code', () => {
    expect(() => readJavaObject(hex('aced0005 71 007e0009'))).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT' }));
    expect(() => readJavaObject(hex('aced0005 42'))).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT' }));
    expect(() => readJavaObject(hex('aced0004 70'))).toThrow(expect.objectContaining({ code: 'ERR_KEYSTORE_FORMAT' }));
  });
});

describe('JCEKS sealed secret keys', () => {
  it('serializes a SecretKeySpec exactly as the JDK does', () => {
    expect(serializeSecretKeySpec('AES', hex('465adb866129a819f4c6ebbfc673ee86'))).toEqual(JDK_SECRET_KEY_SPEC);
  });

  it('reproduces a keytool-made sealed object byte for byte', async () => {
    const locked = await readJceks(fixture('gateway.jceks'));
    const open = await readJceks(fixture('gateway.jceks'), { password: FIXTURE_PASSWORD });
    const sealed = locked.entries.find((e): e is SecretKeyEntry => e.type === 'secret-key')!;
    const key = open.entries.find((e): e is SecretKeyEntry => e.type === 'secret-key')!;
    const jdkBytes = sealed.sealed!.data;
    const parsed = readSealedObject(jdkBytes, 0);
    expect(parsed.length).toBe(jdkBytes.length);
    expect(parsed.sealed).toMatchObject({ className: 'com.sun.crypto.provider.SealedObjectForKeyProtector', sealAlg: 'PBEWithMD5AndTripleDES' });
    const params = sealedObjectParameters(parsed.sealed, 0);
    expect(params.iterations).toBe(200_000);
    expect(sealSecretKey(key.algorithm, key.key!, FIXTURE_PASSWORD, params)).toEqual(jdkBytes);
  });

  it('returns undefined for a wrong password', () => {
    const bytes = sealSecretKey('AES', new Uint8Array(16), 'right', { salt: hex('0102030405060708'), iterations: 10 });
    const { sealed } = readSealedObject(bytes, 0);
    expect(unsealSecretKey(sealed, 'right', 0)).toEqual({ algorithm: 'AES', key: new Uint8Array(16) });
    expect(unsealSecretKey(sealed, 'wrong', 0)).toBeUndefined();
  });
});
