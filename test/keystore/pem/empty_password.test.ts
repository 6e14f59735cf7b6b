import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDerStore } from '../../../src/keystore/der/read.js';
import { writeDerStore } from '../../../src/keystore/der/write.js';
import type { Keystore, PrivateKeyEntry } from '../../../src/keystore/model.js';
import { readPem } from '../../../src/keystore/pem/read.js';
import { writePem } from '../../../src/keystore/pem/write.js';
import { hapki } from '../../helpers/cli.js';
import { FIXTURES } from '../../helpers/fixtures.js';
import { openssl, tempDir } from '../../helpers/tools.js';

// regression: the library's PEM and DER writers took `password: ''` for "no encryption" and wrote
// the private key in the clear, while every other writer (PKCS#12, JKS, JCEKS) and every reader
// take '' as the empty password. Now '' is a password everywhere; only an absent one writes a key
// in the clear.
const dir = tempDir('hapki-empty-pw-');
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const key = new Uint8Array(pair.privateKey.export({ type: 'pkcs8', format: 'der' }));
const publicDer = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('hex');
const store = (format: 'PEM' | 'DER'): Keystore => ({ format, entries: [{ type: 'private-key', alias: 'k', key, chain: [] }], integrityChecked: true, warnings: [] });

/** The public key openssl finds in a key file opened with the given -passin (hex SPKI DER). */
async function opensslPublicKey(file: string, inform: 'PEM' | 'DER', passin: string): Promise<string> {
  const out = join(dir, `pub-${Math.random().toString(36).slice(2)}.der`);
  const r = await openssl(['pkey', '-inform', inform, '-in', file, '-passin', passin, '-pubout', '-outform', 'DER', '-out', out]);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(out).toString('hex');
}

describe("password: '' to the PEM and DER writers", () => {
  it('PEM: the key is encrypted under the empty password; openssl opens it with -passin pass: and hapki with ""', async () => {
    const text = Buffer.from(await writePem(store('PEM'), { password: '' })).toString('utf8');
    expect(text).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    expect(text).not.toContain('-----BEGIN PRIVATE KEY-----');
    const file = join(dir, 'empty.pem');
    writeFileSync(file, text);
    expect(await opensslPublicKey(file, 'PEM', 'pass:')).toBe(publicDer);
    const back = await readPem(new Uint8Array(Buffer.from(text)), { password: '' });
    expect(Buffer.from((back.entries[0] as PrivateKeyEntry).key!)).toEqual(Buffer.from(key));
    // without a password it stays locked: it is not a clear key
    const locked = await readPem(new Uint8Array(Buffer.from(text)));
    expect((locked.entries[0] as PrivateKeyEntry).key).toBeUndefined();
  });

  it('DER: the key is an EncryptedPrivateKeyInfo under the empty password; openssl opens it with -passin pass:', async () => {
    const der = await writeDerStore(store('DER'), { password: '' });
    expect(Buffer.from(der)).not.toEqual(Buffer.from(key));
    const file = join(dir, 'empty.der');
    writeFileSync(file, der);
    expect(await opensslPublicKey(file, 'DER', 'pass:')).toBe(publicDer);
    await expect(readDerStore(der)).rejects.toMatchObject({ code: 'ERR_PASSWORD_REQUIRED' });
    expect(Buffer.from(((await readDerStore(der, { password: '' })).entries[0] as PrivateKeyEntry).key!)).toEqual(Buffer.from(key));
  });

  it('no password (undefined) is what writes a key in the clear', async () => {
    expect(Buffer.from(await writePem(store('PEM'))).toString('utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    expect(Buffer.from(await writeDerStore(store('DER')))).toEqual(Buffer.from(key));
  });
});

describe('a PEM bundle rewritten in place', () => {
  const bundle = async (name: string): Promise<string> => {
    const file = join(dir, name);
    const keyPem = join(dir, `${name}.key`);
    expect((await hapki(['export', join(FIXTURES, 'gateway.jks'), '--alias', 'server1', '--out', keyPem, '--no-encrypt', '--storepass', 'env:P'], { env: { P: 'changeit' } })).code).toBe(0);
    writeFileSync(file, readFileSync(keyPem));
    return file;
  };

  it('whose key was in the clear, opened with the empty --storepass: the key stays in the clear (not encrypted under "")', async () => {
    const file = await bundle('clear.pem');
    const r = await hapki(['import', file, '--trusted', join(FIXTURES, 'ca.pem'), '--alias', 'another-ca', '--storepass', 'env:EMPTY'], { env: { EMPTY: '' } });
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('-----BEGIN PRIVATE KEY-----');
    expect(text).not.toContain('ENCRYPTED');
    expect((await openssl(['pkey', '-in', file, '-noout'])).code).toBe(0);
  });

  it('opened with a password that is not empty: the keys go under it, as before', async () => {
    const file = await bundle('protected.pem');
    const r = await hapki(['import', file, '--trusted', join(FIXTURES, 'ca.pem'), '--alias', 'another-ca', '--storepass', 'env:P'], { env: { P: 'secret-pw' } });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    expect((await openssl(['pkey', '-in', file, '-passin', 'pass:secret-pw', '-noout'])).code).toBe(0);
  });
});
