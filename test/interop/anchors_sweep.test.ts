import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

/**
 * Stores keytool and openssl write that the other interop tests do not make: hapki converts each
 * into every format, and keytool (-importkeystore, which opens every key) and openssl judge the
 * result, never hapki's own reader.
 */
const dir = tempDir('hapki-anchors-');
const PASS = 'anchor-pass-1';
const env = { P: PASS };
const at = (name: string): string => join(dir, name);
const TYPES: Record<string, string> = { p12: 'PKCS12', jks: 'JKS', jceks: 'JCEKS' };

/** keytool -importkeystore of `file` into a fresh PKCS12: every key opened; returns its -list -v. */
async function keytoolOpens(file: string, ext: string, count: number): Promise<string> {
  const check = `${file}.check.p12`;
  const imported = await keytool(['-importkeystore', '-noprompt', '-srckeystore', file, '-srcstoretype', TYPES[ext]!, '-srcstorepass', PASS, '-destkeystore', check, '-deststoretype', 'PKCS12', '-deststorepass', PASS]);
  expect(imported.stdout + imported.stderr).toContain(`${count} entries successfully imported, 0 entries failed`);
  return (await keytool(['-list', '-v', '-keystore', file, '-storetype', TYPES[ext]!, '-storepass', PASS])).stdout;
}

describe('keytool -genseckey secret keys (AES, HmacSHA256, DESede)', () => {
  it.each(['JCEKS', 'PKCS12'])('in a %s: kept by convert into JCEKS and PKCS12; into JKS or PEM, which hold none, refused and nothing written', async (type) => {
    const store = at(`secret.${type.toLowerCase()}`);
    for (const [alg, size] of [['AES', '256'], ['HmacSHA256', '256'], ['DESede', '168']]) {
      await keytool(['-genseckey', '-alias', `k-${alg!.toLowerCase()}`, '-keyalg', alg!, '-keysize', size!, '-keystore', store, '-storetype', type, '-storepass', PASS, '-keypass', PASS]);
    }
    for (const ext of ['p12', 'jceks']) {
      const out = at(`secret-${type}.${ext}`);
      const r = await hapki(['convert', store, out, '--storepass', 'env:P'], { env });
      expect(r.code, r.stderr).toBe(0);
      const listing = await keytoolOpens(out, ext, 3);
      expect(listing.match(/Entry type: SecretKeyEntry/g)).toHaveLength(3);
    }
    for (const ext of ['jks', 'pem']) {
      const out = at(`secret-${type}.${ext}`);
      const r = await hapki(['convert', store, out, '--storepass', 'env:P'], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSUPPORTED_ENTRY'));
      expect(r.stderr).toContain('secret keys go into JCEKS or PKCS12');
      expect(existsSync(out)).toBe(false);
    }
  }, 120_000);
});

describe('keytool key kinds and aliases: DSA, EC P-384 and P-521, Ed25519, Ed448, RSASSA-PSS, a unicode alias with spaces', () => {
  it.each([
    ['JKS', ['p12']],
    ['PKCS12', ['p12', 'jks', 'jceks']],
  ])('a keytool %s store into %j and PEM: keytool opens every key, openssl every PEM key', async (type, exts) => {
    const store = at(`kinds.${type.toLowerCase()}`);
    const kinds: [string, string[]][] = [
      ['dsa', ['-keyalg', 'DSA', '-keysize', '2048']],
      ['p384', ['-keyalg', 'EC', '-groupname', 'secp384r1']],
      ['p521', ['-keyalg', 'EC', '-groupname', 'secp521r1']],
      ['ed25519', ['-keyalg', 'Ed25519']],
      ['ed448', ['-keyalg', 'Ed448']],
      ['pss', ['-keyalg', 'RSASSA-PSS', '-keysize', '2048']],
      ['Gateway Ünïcödé 名前', ['-keyalg', 'EC']],
    ];
    for (const [alias, args] of kinds) {
      await keytool(['-genkeypair', '-alias', alias, ...args, '-dname', 'CN=gw.example.com', '-keystore', store, '-storetype', type, '-storepass', PASS, '-keypass', PASS, '-validity', '30']);
    }
    for (const ext of exts) {
      const out = at(`kinds-${type}.${ext}`);
      const r = await hapki(['convert', store, out, '--storepass', 'env:P'], { env });
      expect(r.code, r.stderr).toBe(0);
      const listing = await keytoolOpens(out, ext, kinds.length);
      expect(listing).toContain('Alias name: gateway ünïcödé 名前\n');
      if (ext === 'p12') expect((await openssl(['pkcs12', '-in', out, '-info', '-noout', '-passin', `pass:${PASS}`])).code).toBe(0);
    }
    const pem = at(`kinds-${type}.pem`);
    expect((await hapki(['convert', store, pem, '--storepass', 'env:P', '--no-encrypt'], { env })).code).toBe(0);
    const text = (await openssl(['storeutl', '-keys', '-text', '-noout', pem])).stdout;
    for (const want of [/Private-Key: \(2048 bit\)\n[\s\S]*priv:/, /Private-Key: \(384 bit\)/, /Private-Key: \(521 bit\)/, /ED25519 Private-Key/, /ED448 Private-Key/, /Private-Key: \(2048 bit, 2 primes\)/]) expect(text).toMatch(want);
  }, 180_000);
});

describe('openssl pkcs12 -export options not covered elsewhere', () => {
  beforeAll(async () => {
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('root.key'), '-out', at('root.pem'), '-subj', '/CN=Root CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=keyCertSign']);
    await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('int.key'), '-out', at('int.csr'), '-subj', '/CN=Int CA']);
    writeFileSync(at('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign\n');
    await openssl(['x509', '-req', '-in', at('int.csr'), '-CA', at('root.pem'), '-CAkey', at('root.key'), '-CAcreateserial', '-out', at('int.pem'), '-days', '25', '-extfile', at('ca.ext')]);
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('leaf.key'), '-out', at('leaf.csr'), '-subj', '/CN=leaf']);
    await openssl(['x509', '-req', '-in', at('leaf.csr'), '-CA', at('int.pem'), '-CAkey', at('int.key'), '-CAcreateserial', '-out', at('leaf.pem'), '-days', '20']);
    writeFileSync(at('cas.pem'), (await openssl(['x509', '-in', at('int.pem')])).stdout + (await openssl(['x509', '-in', at('root.pem')])).stdout);
  }, 60_000);

  it.each([
    ['unicode -name', ['-name', 'Grüße 名前 Key'], 'grüße 名前 key', 1],
    ['-CSP', ['-name', 'gw', '-CSP', 'Microsoft Enhanced RSA and AES Cryptographic Provider'], 'gw', 1],
    ['-certfile with -caname', ['-name', 'gw', '-certfile', 'cas.pem', '-caname', 'Int CA', '-caname', 'Root CA'], 'gw', 3],
    ['-chain -CAfile', ['-name', 'gw', '-chain', '-CAfile', 'cas.pem'], 'gw', 3],
    ['-legacy with a chain', ['-name', 'gw', '-certfile', 'cas.pem', '-legacy'], 'gw', 3],
    ['-keypbe aes-256-cbc -certpbe NONE -macalg sha384', ['-name', 'gw', '-certfile', 'cas.pem', '-keypbe', 'aes-256-cbc', '-certpbe', 'NONE', '-macalg', 'sha384'], 'gw', 3],
  ])('%s: convert into JKS, which keytool opens with the whole chain', async (label, args, alias, chain) => {
    const file = at(`${label.replace(/\W+/g, '_')}.p12`);
    await openssl(['pkcs12', '-export', '-in', at('leaf.pem'), '-inkey', at('leaf.key'), '-passout', `pass:${PASS}`, '-out', file, ...args.map((a) => (a === 'cas.pem' ? at(a) : a))]);
    for (const ext of ['jks']) {
      const out = `${file}.${ext}`;
      const r = await hapki(['convert', file, out, '--storepass', 'env:P'], { env });
      expect(r.code, r.stderr).toBe(0);
      const listing = await keytoolOpens(out, ext, 1);
      expect(listing).toContain(`Alias name: ${alias}\n`);
      expect(listing).toContain(`Certificate chain length: ${chain}\n`);
    }
  }, 120_000);
});
