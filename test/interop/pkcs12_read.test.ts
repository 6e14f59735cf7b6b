import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPkcs12 } from '../../src/keystore/pkcs12/read.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';
import {
  byAlias,
  caAndLeaf,
  describeEntries,
  expectKeyMatchesLeaf,
  fingerprints,
  keytoolList,
  opensslFingerprint,
  readBytes,
  selfSigned,
} from '../keystore/pkcs12/interop_helpers.js';

// PKCS#12 files made in the test run by openssl 3 and keytool, read by readPkcs12.
const dir = tempDir('hapki-p12-read-');

describe('readPkcs12 on files openssl pkcs12 -export made', () => {
  let rsa: { key: string; cert: string };
  let chain: { caKey: string; caCert: string; key: string; cert: string };

  beforeAll(async () => {
    rsa = await selfSigned(dir, 'rsa', ['-newkey', 'rsa:2048']);
    chain = await caAndLeaf(dir, 'chain');
  });

  async function exportP12(name: string, args: string[], password = 'changeit'): Promise<Uint8Array> {
    await openssl(['pkcs12', '-export', '-out', join(dir, name), '-passout', `pass:${password}`, ...args]);
    return readBytes(dir, name);
  }

  it.each([
    ['default (PBES2 / AES-256, SHA-256 MAC)', []],
    ['-legacy (3DES keys, RC2-40 certificates, SHA-1 MAC)', ['-legacy']],
  ])('%s: alias, fingerprint and key', async (label, extra) => {
    const bytes = await exportP12(`rsa-${extra.length}.p12`, ['-in', rsa.cert, '-inkey', rsa.key, '-name', 'server', ...extra]);
    const store = await readPkcs12(bytes, { password: 'changeit' });
    expect(store.format).toBe('PKCS12');
    expect(store.integrityChecked).toBe(true);
    expect(store.entries.map((e) => e.alias)).toEqual(['server']);
    expect(fingerprints(store.entries[0]!)).toEqual([await opensslFingerprint(rsa.cert)]);
    expectKeyMatchesLeaf(store.entries[0]);
    await expect(readPkcs12(bytes, { password: 'wrong' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
  });

  it.each([
    ['EC P-256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']],
    ['EC P-384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']],
    ['Ed25519', ['-newkey', 'ed25519']],
  ])('%s key', async (label, keyArgs) => {
    const name = label.replace(/\W+/g, '');
    const made = await selfSigned(dir, name, keyArgs);
    const bytes = await exportP12(`${name}.p12`, ['-in', made.cert, '-inkey', made.key, '-name', name]);
    const store = await readPkcs12(bytes, { password: 'changeit' });
    expect(store.entries.map((e) => e.alias)).toEqual([name]);
    expect(fingerprints(store.entries[0]!)).toEqual([await opensslFingerprint(made.cert)]);
    expectKeyMatchesLeaf(store.entries[0]);
  });

  it('empty password (-passout pass:), with the password omitted or given as ""', async () => {
    for (const extra of [[], ['-legacy']]) {
      const bytes = await exportP12(`empty-${extra.length}.p12`, ['-in', rsa.cert, '-inkey', rsa.key, '-name', 'e', ...extra], '');
      for (const options of [{}, { password: '' }]) {
        const store = await readPkcs12(bytes, options);
        expect(store.integrityChecked).toBe(true);
        expectKeyMatchesLeaf(store.entries[0]);
      }
      await expect(readPkcs12(bytes, { password: 'x' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
    }
  });

  it('a chain of two via -certfile, and via -chain -CAfile', async () => {
    const expected = [await opensslFingerprint(chain.cert), await opensslFingerprint(chain.caCert)];
    const viaCertfile = await exportP12('chain-certfile.p12', ['-in', chain.cert, '-inkey', chain.key, '-certfile', chain.caCert, '-name', 'leaf']);
    const viaChain = await exportP12('chain-chain.p12', ['-in', chain.cert, '-inkey', chain.key, '-chain', '-CAfile', chain.caCert, '-name', 'leaf']);
    for (const bytes of [viaCertfile, viaChain]) {
      const store = await readPkcs12(bytes, { password: 'changeit' });
      // The CA is part of the chain, so it is not also listed as a trusted certificate.
      expect(store.entries).toHaveLength(1);
      expect(fingerprints(store.entries[0]!)).toEqual(expected);
      expectKeyMatchesLeaf(store.entries[0]);
    }
  });

  it('without -name: aliases numbered as keytool numbers them', async () => {
    const other = await selfSigned(dir, 'other', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const file = 'noname.p12';
    const bytes = await exportP12(file, ['-in', rsa.cert, '-inkey', rsa.key, '-certfile', other.cert]);
    const store = await readPkcs12(bytes, { password: 'changeit' });
    const listed = await keytoolList(join(dir, file), 'changeit');
    // keytool shows only the key entry ("1"); hapki also lists the loose certificate, numbered after it.
    expect(listed.map((e) => [e.alias, e.type])).toEqual([['1', 'PrivateKeyEntry']]);
    expect(describeEntries(store)).toEqual([
      { alias: '1', type: 'PrivateKeyEntry', fingerprints: listed[0]!.fingerprints },
      { alias: '2', type: 'trustedCertEntry', fingerprints: [await opensslFingerprint(other.cert)] },
    ]);
  });

  it('a non-ASCII -name', async () => {
    const name = 'sérveur-密钥-ü';
    const bytes = await exportP12('utf8.p12', ['-in', rsa.cert, '-inkey', rsa.key, '-name', name]);
    const store = await readPkcs12(bytes, { password: 'changeit' });
    expect(store.entries.map((e) => e.alias)).toEqual([name]);
  });

  it('certificates only (-nokeys): trusted-cert entries although they lack the Java attribute', async () => {
    const bundle = join(dir, 'bundle.pem');
    const { stdout: a } = await openssl(['x509', '-in', rsa.cert]);
    const { stdout: b } = await openssl(['x509', '-in', chain.caCert]);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bundle, a + b);
    const bytes = await exportP12('certs.p12', ['-in', bundle, '-nokeys']);
    const store = await readPkcs12(bytes, { password: 'changeit' });
    expect(describeEntries(store)).toEqual([
      { alias: '1', type: 'trustedCertEntry', fingerprints: [await opensslFingerprint(rsa.cert)] },
      { alias: '2', type: 'trustedCertEntry', fingerprints: [await opensslFingerprint(chain.caCert)] },
    ]);
  });
});

describe('readPkcs12 on files keytool made', () => {
  it.each([
    ['default', []],
    ['legacy (-J-Dkeystore.pkcs12.legacy)', ['-J-Dkeystore.pkcs12.legacy']],
  ])('%s: key pair with a 2-certificate chain, trusted cert, secret key', async (label, jvm) => {
    const file = join(dir, `keytool-${jvm.length}.p12`);
    const ca = join(dir, `kt-ca-${jvm.length}.crt`);
    const common = [...jvm, '-storetype', 'PKCS12', '-keystore', file, '-storepass', 'changeit'];
    await keytool([...common, '-genkeypair', '-alias', 'ca', '-keyalg', 'EC', '-groupname', 'secp384r1', '-dname', 'CN=kt ca', '-ext', 'bc:c']);
    await keytool([...common, '-genkeypair', '-alias', 'server', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=kt server']);
    const { stdout: csr } = await keytool([...common, '-certreq', '-alias', 'server']);
    const { stdout: signed } = await keytool([...common, '-gencert', '-alias', 'ca', '-rfc'], csr);
    const { stdout: caPem } = await keytool([...common, '-exportcert', '-alias', 'ca', '-rfc']);
    (await import('node:fs')).writeFileSync(ca, caPem);
    await keytool([...common, '-importcert', '-noprompt', '-alias', 'server'], signed);
    await keytool([...common, '-delete', '-alias', 'ca']);
    await keytool([...common, '-importcert', '-noprompt', '-alias', 'trusted-ca', '-file', ca]);
    await keytool([...common, '-genseckey', '-alias', 'aes', '-keyalg', 'AES', '-keysize', '128']);

    const store = await readPkcs12(readBytes(dir, `keytool-${jvm.length}.p12`), { password: 'changeit' });
    expect(store.integrityChecked).toBe(true);
    const listed = await keytoolList(file, 'changeit');
    expect(byAlias(describeEntries(store))).toEqual(byAlias(listed));
    expect(listed.find((e) => e.alias === 'server')?.fingerprints).toHaveLength(2);
    expectKeyMatchesLeaf(store.entries.find((e) => e.alias === 'server'));
    const secret = store.entries.find((e) => e.alias === 'aes');
    expect(secret).toMatchObject({ type: 'secret-key', algorithm: 'AES' });
    expect(secret?.type === 'secret-key' && secret.key?.length).toBe(16);
    await expect(readPkcs12(readBytes(dir, `keytool-${jvm.length}.p12`), { password: 'changeit2' })).rejects.toMatchObject({
      code: 'ERR_KEYSTORE_PASSWORD',
    });
  });

  it('HmacSHA256 and DESede secret keys keep their Java algorithm names', async () => {
    const file = join(dir, 'secrets.p12');
    const common = ['-storetype', 'PKCS12', '-keystore', file, '-storepass', 'changeit'];
    await keytool([...common, '-genseckey', '-alias', 'hmac', '-keyalg', 'HmacSHA256', '-keysize', '256']);
    await keytool([...common, '-genseckey', '-alias', 'des', '-keyalg', 'DESede']);
    const store = await readPkcs12(readBytes(dir, 'secrets.p12'), { password: 'changeit' });
    expect(store.entries.map((e) => [e.alias, e.type === 'secret-key' ? e.algorithm : e.type])).toEqual([
      ['hmac', 'HmacSHA256'],
      ['des', 'DESede'],
    ]);
  });
});
