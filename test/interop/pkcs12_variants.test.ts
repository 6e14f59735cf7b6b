import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { opensslFingerprint, opensslKeyAndCert } from '../helpers/keys.js';
import { openssl, tempDir } from '../helpers/tools.js';

/**
 * PKCS#12 files as `openssl pkcs12 -export` writes them with each of its knobs, and as python's
 * `cryptography` writes them with each encryption it offers: hapki lists the entry openssl named,
 * with openssl's fingerprint, and exports a key openssl agrees belongs to the certificate.
 */
const dir = tempDir('hapki-p12-variants-');
const PASS = 'p12-pass-1';
const env = { P: PASS };
const at = (name: string): string => join(dir, name);
let rsa: { key: string; cert: string };
let ec: { key: string; cert: string };

interface Listed {
  alias: string;
  type: string;
  chain: { sha256: string }[];
}

async function listAndExport(file: string, alias: string, cert: string): Promise<{ entries: Listed[]; stderr: string }> {
  const listed = await hapki(['list', file, '--storepass', 'env:P', '--json'], { env });
  expect(listed.code, listed.stderr).toBe(0);
  const entries = (JSON.parse(listed.stdout) as { entries: Listed[] }).entries;
  const entry = entries.find((e) => e.alias === alias);
  expect(entry, JSON.stringify(entries)).toMatchObject({ type: 'private-key' });
  expect(entry!.chain[0]!.sha256).toBe(await opensslFingerprint(cert));
  const out = `${file}.${alias.replace(/\W+/g, '_')}.key.pem`;
  const exported = await hapki(['export', file, '--alias', alias, '--what', 'key', '--no-encrypt', '--out', out, '--storepass', 'env:P'], { env });
  expect(exported.code, exported.stderr).toBe(0);
  expect((await openssl(['pkey', '-in', out, '-pubout'])).stdout).toBe((await openssl(['x509', '-in', cert, '-pubkey', '-noout'])).stdout);
  return { entries, stderr: listed.stderr };
}

beforeAll(async () => {
  rsa = await opensslKeyAndCert(dir, 'rsa', 'rsa');
  ec = await opensslKeyAndCert(dir, 'ec', 'p256');
});

describe('openssl pkcs12 -export options', () => {
  it.each([
    ['-macalg sha1', ['-macalg', 'sha1']],
    ['-macalg sha512', ['-macalg', 'sha512']],
    ['-keypbe AES-128-CBC -certpbe AES-128-CBC', ['-keypbe', 'AES-128-CBC', '-certpbe', 'AES-128-CBC']],
    ['-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES']],
    ['-keypbe PBE-SHA1-RC4-128 -legacy', ['-keypbe', 'PBE-SHA1-RC4-128', '-legacy']],
    ['-keypbe NONE -certpbe NONE (key and certificates in the clear, MAC kept)', ['-keypbe', 'NONE', '-certpbe', 'NONE']],
    ['-certpbe NONE', ['-certpbe', 'NONE']],
    ['-iter 1', ['-iter', '1']],
    ['-noiter -nomaciter', ['-noiter', '-nomaciter']],
    ['-descert', ['-descert']],
  ])('%s', async (label, args) => {
    const file = at(`${label.replace(/\W+/g, '_')}.p12`);
    await openssl(['pkcs12', '-export', '-in', rsa.cert, '-inkey', rsa.key, '-name', 'Gateway Key', '-passout', `pass:${PASS}`, '-out', file, ...args]);
    const { entries, stderr } = await listAndExport(file, 'Gateway Key', rsa.cert);
    expect(entries).toHaveLength(1);
    expect(stderr).toBe('');
  });

  it('-nomac (with and without -legacy): read, with a warning that integrity went unchecked; convert wants --allow-unverified', async () => {
    for (const extra of [[], ['-legacy']]) {
      const file = at(`nomac${extra.length}.p12`);
      await openssl(['pkcs12', '-export', '-in', ec.cert, '-inkey', ec.key, '-name', 'nomac', '-nomac', '-passout', `pass:${PASS}`, '-out', file, ...extra]);
      const { stderr } = await listAndExport(file, 'nomac', ec.cert);
      expect(stderr).toMatch(/no MAC: its integrity cannot be checked/);
      const refused = await hapki(['convert', file, at(`nomac${extra.length}.jks`), '--storepass', 'env:P'], { env });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/\(ERR_[A-Z_]+\)\n$/);
      const allowed = await hapki(['convert', file, at(`nomac${extra.length}.jks`), '--storepass', 'env:P', '--allow-unverified'], { env });
      expect(allowed.code, allowed.stderr).toBe(0);
    }
  });

  it('two keys in one file (keytool -importkeystore of two openssl files): both entries, each with its own certificate', async () => {
    const a = at('one.p12');
    const b = at('two.p12');
    const both = at('both.p12');
    await openssl(['pkcs12', '-export', '-in', rsa.cert, '-inkey', rsa.key, '-name', 'first', '-passout', `pass:${PASS}`, '-out', a]);
    await openssl(['pkcs12', '-export', '-in', ec.cert, '-inkey', ec.key, '-name', 'second', '-passout', `pass:${PASS}`, '-out', b, '-legacy']);
    for (const src of [a, b]) {
      execFileSync('keytool', ['-importkeystore', '-noprompt', '-srckeystore', src, '-srcstoretype', 'PKCS12', '-srcstorepass', PASS, '-destkeystore', both, '-deststoretype', 'PKCS12', '-deststorepass', PASS], { stdio: 'pipe' });
    }
    await listAndExport(both, 'first', rsa.cert);
    const { entries } = await listAndExport(both, 'second', ec.cert);
    expect(entries.map((e) => e.alias).sort()).toEqual(['first', 'second']);
  });
});

const PYTHON = `
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, NoEncryption, PrivateFormat, load_pem_private_key, pkcs12
from cryptography.hazmat.primitives.serialization.pkcs12 import PBES
key_file, cert_file, other_file, out, option, password = sys.argv[1:]
key = load_pem_private_key(open(key_file, 'rb').read(), None)
cert = x509.load_pem_x509_certificate(open(cert_file, 'rb').read())
other = x509.load_pem_x509_certificate(open(other_file, 'rb').read())
pw = password.encode()
builder = PrivateFormat.PKCS12.encryption_builder().kdf_rounds(20000)
encryption = {
  'best': lambda: BestAvailableEncryption(pw),
  'none': lambda: NoEncryption(),
  'aes-sha256': lambda: builder.key_cert_algorithm(PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA256()).build(pw),
  'aes-sha1mac': lambda: builder.key_cert_algorithm(PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA1()).build(pw),
  '3des-sha1': lambda: builder.key_cert_algorithm(PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1()).build(pw),
  'default-builder': lambda: PrivateFormat.PKCS12.encryption_builder().build(pw),
}[option]()
cas = [pkcs12.PKCS12Certificate(other, b'Other CA')]
open(out, 'wb').write(pkcs12.serialize_key_and_certificates(b'Py Key', key, cert, cas, encryption))
`;

describe('python cryptography pkcs12.serialize_key_and_certificates', () => {
  it.each(['best', 'aes-sha256', 'aes-sha1mac', '3des-sha1', 'default-builder', 'none'])('encryption %s: the key entry, and the named extra certificate as a trusted entry', async (option) => {
    const file = at(`py-${option}.p12`);
    const password = option === 'none' ? '' : PASS;
    execFileSync('python3', ['-c', PYTHON, ec.key, ec.cert, rsa.cert, file, option, password]);
    const opts = { env: { P: password } };
    const listed = await hapki(['list', file, '--storepass', 'env:P', '--json'], opts);
    expect(listed.code, listed.stderr).toBe(0);
    const entries = (JSON.parse(listed.stdout) as { entries: Listed[] }).entries;
    expect(entries.map((e) => [e.alias, e.type, e.chain[0]!.sha256])).toEqual([
      ['Py Key', 'private-key', await opensslFingerprint(ec.cert)],
      ['Other CA', 'trusted-cert', await opensslFingerprint(rsa.cert)],
    ]);
    const out = `${file}.key.pem`;
    const exported = await hapki(['export', file, '--alias', 'py key', '--what', 'key', '--no-encrypt', '--out', out, '--storepass', 'env:P'], opts);
    expect(exported.code, exported.stderr).toBe(0);
    expect((await openssl(['pkey', '-in', out, '-pubout'])).stdout).toBe((await openssl(['x509', '-in', ec.cert, '-pubkey', '-noout'])).stdout);
  });
});
