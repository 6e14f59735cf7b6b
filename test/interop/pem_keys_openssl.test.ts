import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';

/**
 * PEM and DER private keys as openssl writes them, every encryption it offers (PKCS#8 v2 with
 * PBKDF2 or scrypt, PKCS#8 v1 PBES1 and PKCS#12 PBE, traditional "Proc-Type: 4,ENCRYPTED"), and
 * the shapes bundles come in (EC PARAMETERS first, CRLF, text before the blocks). Judged by
 * openssl: the key hapki exports in the clear has the public key of the certificate beside it.
 */
const dir = tempDir('hapki-pem-keys-');
const PASS = 'pem-pass-1';
const env = { P: PASS, W: 'wrong-pass' };
const at = (name: string): string => join(dir, name);
const LEGACY = ['-provider', 'legacy', '-provider', 'default'];

async function publicKeyOfCert(cert: string): Promise<string> {
  return (await openssl(['x509', '-in', cert, '-pubkey', '-noout'])).stdout;
}

/** hapki export --what key --no-encrypt of the bundle's one key entry, as openssl sees its public key. */
async function exportedPublicKey(file: string): Promise<{ code: number; stderr: string; pub?: string }> {
  const listed = await hapki(['list', file, '--storepass', 'env:P', '--json'], { env });
  if (listed.code !== 0) return { code: listed.code, stderr: listed.stderr };
  const alias = (JSON.parse(listed.stdout) as { entries: { alias: string }[] }).entries[0]!.alias;
  const out = at(`${file.split('/').pop()}.clear.pem`);
  const result = await hapki(['export', file, '--alias', alias, '--what', 'key', '--no-encrypt', '--out', out, '--storepass', 'env:P', '--force'], { env });
  if (result.code !== 0) return { code: result.code, stderr: result.stderr };
  return { code: 0, stderr: result.stderr + listed.stderr, pub: (await openssl(['pkey', '-in', out, '-pubout'])).stdout };
}

describe('encrypted private keys openssl writes, in a PEM bundle with their certificate', () => {
  beforeAll(async () => {
    await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', at('rsa.key')]);
    await openssl(['req', '-new', '-x509', '-key', at('rsa.key'), '-out', at('rsa.crt'), '-days', '30', '-subj', '/CN=rsa.example.com']);
    await openssl(['ecparam', '-name', 'secp384r1', '-genkey', '-out', at('ec.key')]);
    await openssl(['req', '-new', '-x509', '-key', at('ec.key'), '-out', at('ec.crt'), '-days', '30', '-subj', '/CN=ec.example.com']);
  });

  it.each([
    ['PKCS#8 v2 AES-256-CBC (PBKDF2 SHA-256)', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc']],
    ['PKCS#8 v2 AES-128-CBC, PBKDF2 hmacWithSHA1', ['pkcs8', '-topk8', '-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA1']],
    ['PKCS#8 v2 3DES', ['pkcs8', '-topk8', '-v2', 'des3']],
    ['PKCS#8 v2 scrypt', ['pkcs8', '-topk8', '-scrypt']],
    ['PKCS#8 v1 PBE-SHA1-3DES', ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-3DES']],
    ['PKCS#8 v1 PBE-SHA1-RC2-40', ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-RC2-40', ...LEGACY]],
    ['PKCS#8 v1 PBE-MD5-DES (PBES1)', ['pkcs8', '-topk8', '-v1', 'PBE-MD5-DES', ...LEGACY]],
    ['PKCS#8 v1 PBE-SHA1-DES (PBES1)', ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-DES', ...LEGACY]],
    ['PKCS#8 v1 PBE-MD5-RC2-64 (PBES1)', ['pkcs8', '-topk8', '-v1', 'PBE-MD5-RC2-64', ...LEGACY]],
    ['PKCS#8 v1 PBE-SHA1-RC2-64 (PBES1)', ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-RC2-64', ...LEGACY]],
    ['traditional RSA, Proc-Type AES-256-CBC', ['rsa', '-traditional', '-aes256']],
    ['traditional RSA, Proc-Type DES-EDE3-CBC', ['rsa', '-traditional', '-des3']],
  ])('%s: the key opens with the password, and only with it', async (label, args) => {
    const name = label.replace(/\W+/g, '_');
    const key = at(`${name}.key`);
    await openssl([...args, '-in', at('rsa.key'), '-passout', `pass:${PASS}`, '-out', key]);
    if (args[0] === 'rsa') expect(readFileSync(key, 'utf8')).toMatch(/BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED/);
    else expect(readFileSync(key, 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    const bundle = at(`${name}.pem`);
    writeFileSync(bundle, readFileSync(key, 'utf8') + readFileSync(at('rsa.crt'), 'utf8'));
    const result = await exportedPublicKey(bundle);
    expect(result.stderr).not.toMatch(/ERR_/);
    expect(result.pub).toBe(await publicKeyOfCert(at('rsa.crt')));
    const wrong = await hapki(['export', bundle, '--alias', 'rsa.example.com', '--what', 'key', '--no-encrypt', '--out', '-', '--storepass', 'env:W'], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/\(ERR_KEYSTORE_PASSWORD\)\n$/);
  });

  it('DER: an encrypted PKCS#8 key (v1 and scrypt) reads with its password', async () => {
    for (const args of [['-v1', 'PBE-SHA1-3DES'], ['-scrypt'], ['-v1', 'PBE-MD5-DES', ...LEGACY]]) {
      const der = at(`key-${args[1] ?? 'scrypt'}.der`);
      await openssl(['pkcs8', '-topk8', ...args, '-in', at('ec.key'), '-outform', 'DER', '-passout', `pass:${PASS}`, '-out', der]);
      const out = at(`key-${args[1] ?? 'scrypt'}.clear.pem`);
      const result = await hapki(['export', der, '--alias', 'key', '--what', 'key', '--no-encrypt', '--out', out, '--storepass', 'env:P'], { env });
      expect(result.code, result.stderr).toBe(0);
      expect((await openssl(['pkey', '-in', out, '-pubout'])).stdout).toBe(await publicKeyOfCert(at('ec.crt')));
    }
  });

  it('openssl ecparam -genkey output (EC PARAMETERS, then the key) reads without a warning, encrypted traditional EC too', async () => {
    expect(readFileSync(at('ec.key'), 'utf8')).toMatch(/^-----BEGIN EC PARAMETERS-----/);
    const plain = at('ec-bundle.pem');
    writeFileSync(plain, readFileSync(at('ec.key'), 'utf8') + readFileSync(at('ec.crt'), 'utf8'));
    const listed = await hapki(['list', plain, '--json'], { env });
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe('');
    expect(JSON.parse(listed.stdout).entries).toMatchObject([{ alias: 'ec.example.com', type: 'private-key', algorithm: 'EC P-384' }]);

    const encrypted = at('ec-trad-enc.key');
    await openssl(['ec', '-in', at('ec.key'), '-aes128', '-passout', `pass:${PASS}`, '-out', encrypted]);
    const bundle = at('ec-trad-enc.pem');
    writeFileSync(bundle, readFileSync(at('ec.key'), 'utf8').split('-----BEGIN EC PRIVATE KEY-----')[0] + readFileSync(encrypted, 'utf8') + readFileSync(at('ec.crt'), 'utf8'));
    const result = await exportedPublicKey(bundle);
    expect(result.stderr).not.toMatch(/ERR_|PEM block/);
    expect(result.pub).toBe(await publicKeyOfCert(at('ec.crt')));
  });

  it('CRLF line endings and text before the blocks (as mail and Windows tools leave them)', async () => {
    const key = at('crlf.key');
    await openssl(['rsa', '-traditional', '-des3', '-in', at('rsa.key'), '-passout', `pass:${PASS}`, '-out', key]);
    for (const [name, text] of [
      ['crlf-trad.pem', (readFileSync(key, 'utf8') + readFileSync(at('rsa.crt'), 'utf8')).replace(/\n/g, '\r\n')],
      ['leading.pem', `Subject: the gateway key\nIssuer: whoever\n\n${readFileSync(at('rsa.crt'), 'utf8')}Bag Attributes\n    friendlyName: gw\n${readFileSync(key, 'utf8')}`],
    ] as const) {
      writeFileSync(at(name), text);
      const result = await exportedPublicKey(at(name));
      expect(result.stderr, name).not.toMatch(/ERR_/);
      expect(result.pub, name).toBe(await publicKeyOfCert(at('rsa.crt')));
    }
  });

  it('an scrypt key asking for more memory than hapki spends on one key is refused as a limit, not attempted', async () => {
    const der = at('scrypt-r.der');
    await openssl(['pkcs8', '-topk8', '-scrypt', '-in', at('ec.key'), '-outform', 'DER', '-passout', `pass:${PASS}`, '-out', der]);
    const bytes = readFileSync(der);
    // openssl's N = 16384, r = 8, p = 1: 02 02 40 00 02 01 08 02 01 01; p = 127 would take 127 runs of 16 MiB
    const index = bytes.indexOf(Buffer.from([0x02, 0x02, 0x40, 0x00, 0x02, 0x01, 0x08, 0x02, 0x01, 0x01]));
    expect(index).toBeGreaterThan(0);
    bytes[index + 9] = 0x7f;
    writeFileSync(der, bytes);
    const result = await hapki(['export', der, '--alias', 'key', '--what', 'key', '--no-encrypt', '--out', '-', '--storepass', 'env:P'], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^hapki: [^\n]*scrypt[^\n]*\(ERR_KEYSTORE_FORMAT\)\n$/);
  });
});
