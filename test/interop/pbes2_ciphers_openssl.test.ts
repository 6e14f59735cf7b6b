import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

/**
 * Every CBC cipher openssl offers under PBES2 (`pkcs8 -topk8 -v2 <cipher>`, `pkcs12 -keypbe
 * <cipher>`), beside AES and 3DES: Camellia, ARIA and SM4, and RFC 8018's own DES-CBC and RC2-CBC
 * (legacy provider). Judged by openssl: the key hapki exports in the clear has the public key of
 * the one openssl encrypted; keytool lists the JKS hapki converts the PKCS#12 into. Also the PKCS#12
 * MAC digests openssl offers beside SHA-1 and SHA-2 (MD5, SM3, SHA-3).
 */
const dir = tempDir('hapki-pbes2-ciphers-');
const env = { P: 'cipher-pass-1', W: 'wrong-pass-1' };
const at = (name: string): string => join(dir, name);
const LEGACY = ['-provider', 'legacy', '-provider', 'default'];
let publicKey = '';

async function exportedPublicKey(file: string, alias: string): Promise<string> {
  const out = at(`${file.split('/').pop()}.clear.pem`);
  const result = await hapki(['export', file, '--alias', alias, '--what', 'key', '--no-encrypt', '--out', out, '--storepass', 'env:P', '--force'], { env });
  expect(result.code, result.stderr).toBe(0);
  return (await openssl(['pkey', '-in', out, '-pubout'])).stdout;
}

const CIPHERS: [string, string[]][] = [
  ['camellia-128-cbc', []],
  ['camellia-192-cbc', []],
  ['camellia-256-cbc', []],
  ['aria-128-cbc', []],
  ['aria-192-cbc', []],
  ['aria-256-cbc', []],
  ['sm4-cbc', []],
  ['des-cbc', LEGACY],
  ['rc2-cbc', LEGACY],
  ['rc2-40-cbc', LEGACY],
  ['rc2-64-cbc', LEGACY],
];

beforeAll(async () => {
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', at('rsa.key')]);
  await openssl(['req', '-new', '-x509', '-key', at('rsa.key'), '-out', at('rsa.crt'), '-days', '30', '-subj', '/CN=gw1.example.com']);
  publicKey = (await openssl(['pkey', '-in', at('rsa.key'), '-pubout'])).stdout;
});

describe('PBES2 ciphers beside AES and 3DES', () => {

  it.each(CIPHERS)('openssl pkcs8 -v2 %s: the key opens, and a wrong password is a password error', async (cipher, provider) => {
    const file = at(`pkcs8-${cipher}.key`);
    await openssl(['pkcs8', '-topk8', '-v2', cipher, '-in', at('rsa.key'), '-out', file, '-passout', `pass:${env.P}`, ...provider]);
    expect(await exportedPublicKey(file, 'key')).toBe(publicKey);
    const wrong = await hapki(['list', file, '--storepass', 'env:W'], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/\(ERR_KEYSTORE_PASSWORD\)\n$/);
  });

  it.each(CIPHERS.filter(([c]) => !c.startsWith('rc2-') || c === 'rc2-cbc'))('openssl pkcs12 -keypbe/-certpbe %s: export and convert to JKS', async (cipher, provider) => {
    const file = at(`p12-${cipher}.p12`);
    await openssl(['pkcs12', '-export', '-in', at('rsa.crt'), '-inkey', at('rsa.key'), '-name', 'gw', '-keypbe', cipher, '-certpbe', cipher, '-out', file, '-passout', `pass:${env.P}`, ...provider]);
    expect(await exportedPublicKey(file, 'gw')).toBe(publicKey);
    const jks = at(`p12-${cipher}.jks`);
    const converted = await hapki(['convert', file, jks, '--storepass', 'env:P'], { env });
    expect(converted.code, converted.stderr).toBe(0);
    const listing = (await keytool(['-list', '-keystore', jks, '-storepass', env.P])).stdout;
    expect(listing).toMatch(/^gw, .*PrivateKeyEntry/m);
  });
});

describe('PKCS#12 MACs under every digest openssl pkcs12 -macalg takes', () => {
  it.each(['md5', 'sm3', 'sha3-224', 'sha3-256', 'sha3-384', 'sha3-512'])('-macalg %s: the MAC is checked, and a wrong password is a password error', async (digest) => {
    const file = at(`mac-${digest}.p12`);
    await openssl(['pkcs12', '-export', '-in', at('rsa.crt'), '-inkey', at('rsa.key'), '-name', 'gw', '-macalg', digest, '-out', file, '-passout', `pass:${env.P}`]);
    const listed = await hapki(['list', file, '--storepass', 'env:P'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).not.toMatch(/integrity|warning/);
    expect(await exportedPublicKey(file, 'gw')).toBe(publicKey);
    const wrong = await hapki(['list', file, '--storepass', 'env:W'], { env });
    expect(wrong.stderr).toMatch(/\(ERR_KEYSTORE_PASSWORD\)\n$/);
    // a rewrite is MAC'd as hapki writes every PKCS#12: HMAC-SHA-256, which keytool checks
    const copy = at(`mac-${digest}-copy.p12`);
    expect((await hapki(['convert', file, copy, '--storepass', 'env:P', '--out-format', 'pkcs12'], { env })).code).toBe(0);
    expect((await keytool(['-list', '-keystore', copy, '-storepass', env.P])).stdout).toMatch(/^gw, .*PrivateKeyEntry/m);
  });
});
