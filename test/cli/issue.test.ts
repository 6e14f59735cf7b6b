import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { opensslFingerprint } from '../helpers/keys.js';
import { keytool, keytoolFingerprints, openssl, tempDir } from '../helpers/tools.js';

const dir = tempDir();
const env = { STOREPASS: 'changeit', CAPASS: 'ca-secret' };
const storepass = ['--storepass', 'env:STOREPASS'];
const capass = ['--ca-storepass', 'env:CAPASS'];
const ca = join(dir, 'ca.p12');
const caPem = join(dir, 'ca.pem');

async function run(args: string[]) {
  return hapki(args, { env, cwd: dir });
}

async function ok(args: string[]) {
  const r = await run(args);
  if (r.code !== 0) throw new Error(`hapki ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

async function keytoolNode(name: string, storetype: 'JKS' | 'PKCS12'): Promise<string> {
  const path = join(dir, `${name}.${storetype === 'JKS' ? 'jks' : 'p12'}`);
  await keytool(['-genkeypair', '-alias', 'msas1', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=msas1.example.com', '-validity', '90', '-storetype', storetype, '-keystore', path, '-storepass', 'changeit', '-keypass', 'changeit']);
  return path;
}

/** Every file in the directory with its bytes, to show a failed command changed nothing. */
function snapshot(): Map<string, string> {
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
}

beforeAll(async () => {
  const r = await ok(['ca', 'init', '--subject', 'CN=Example Root CA,O=Example', '--out', ca, '--outpass', 'env:CAPASS', '--cert-out', caPem]);
  expect(r.stdout).toMatch(/^subject: {2}CN=Example Root CA, O=Example\nserial: {3}[0-9a-f]{32}\nvalid: .* to .*\nsha256: {3}[0-9a-f]{64}\n$/);
});

describe('the issuance procedure end to end', () => {
  it.each(['JKS', 'PKCS12'] as const)('keytool %s key -> hapki csr -> hapki sign -> hapki import; keytool and openssl accept the result', async (storetype) => {
    const node = await keytoolNode(`node-${storetype}`, storetype);
    const req = join(dir, `req-${storetype}.csr`);
    const cert = join(dir, `cert-${storetype}.pem`);
    await ok(['csr', node, '--alias', 'msas1', '--out', req, ...storepass]);
    expect((await openssl(['req', '-in', req, '-verify', '-noout'])).stderr).toMatch(/verify OK/);
    const signed = await ok(['sign', req, '--ca', ca, ...capass, '--san', 'lbrhost.example.com', '--out', cert]);
    expect(signed.stdout).toMatch(/^subject: {2}CN=msas1.example.com\nsan: {6}DNS:msas1.example.com, DNS:lbrhost.example.com\nserial: {3}[0-9a-f]{32}\n/);
    const fp = await opensslFingerprint(caPem);
    const imported = await ok(['import', node, '--alias', 'msas1', '--reply', cert, '--ca', caPem, '--trust-root', fp.toUpperCase().match(/../g)!.join(':'), ...storepass]);
    expect(imported.stderr).toContain('added the root as trusted entry "example-root-ca"');
    const listing = (await keytool(['-list', '-v', '-keystore', node, '-storepass', 'changeit'])).stdout;
    expect(listing).toMatch(/Alias name: msas1\s+Creation date: .*\s+Entry type: PrivateKeyEntry\s+Certificate chain length: 2/);
    expect(listing).toMatch(/Alias name: example-root-ca\s+Creation date: .*\s+Entry type: trustedCertEntry/);
    expect(keytoolFingerprints(listing)).toContain(await opensslFingerprint(cert));
    expect(listing).toContain(`Keystore type: ${storetype}`);
    expect((await openssl(['verify', '-CAfile', caPem, cert])).stdout).toMatch(/: OK/);
    const text = (await openssl(['x509', '-in', cert, '-noout', '-text'])).stdout;
    expect(text).toContain('DNS:msas1.example.com, DNS:lbrhost.example.com');
    expect(existsSync(`${node}.bak`)).toBe(true);
  });

  it('csr --new-key creates a keystore (or adds to one, keeping its format) and a request openssl verifies; the reply then installs', async () => {
    const store = join(dir, 'fresh.p12');
    const req = join(dir, 'fresh.csr');
    await ok(['csr', '--new-key', '--subject', 'CN=msas2.example.com,O=Example', '--kty', 'ec', '--keystore', store, '--alias', 'msas2', '--out', req, '--san', 'ip:10.0.0.5', ...storepass]);
    expect((await openssl(['req', '-in', req, '-verify', '-noout'])).stderr).toMatch(/verify OK/);
    expect((await keytool(['-list', '-keystore', store, '-storepass', 'changeit'])).stdout).toMatch(/msas2,.*PrivateKeyEntry/);
    const jks = await keytoolNode('add-to', 'JKS');
    const req2 = join(dir, 'ed.csr');
    await ok(['csr', '--new-key', '--subject', 'CN=msas3.example.com', '--kty', 'ed25519', '--keystore', jks, '--alias', 'msas3', '--out', req2, ...storepass]);
    expect((await openssl(['req', '-in', req2, '-verify', '-noout'])).stderr).toMatch(/verify OK/);
    const listing = (await keytool(['-list', '-keystore', jks, '-storepass', 'changeit'])).stdout;
    expect(listing).toMatch(/Keystore type: JKS/);
    expect(listing).toMatch(/msas1,.*PrivateKeyEntry/);
    expect(listing).toMatch(/msas3,.*PrivateKeyEntry/);
    expect(existsSync(`${jks}.bak`)).toBe(true);
    const cert = join(dir, 'fresh.pem');
    await ok(['sign', req, '--ca', ca, ...capass, '--out', cert, '--chain', '--profile', 'server-client']);
    expect(readFileSync(cert, 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    await ok(['import', store, '--alias', 'example-root', '--trusted', caPem, ...storepass]);
    await ok(['import', store, '--alias', 'msas2', '--reply', cert, ...storepass]);
    expect((await keytool(['-list', '-v', '-keystore', store, '-storepass', 'changeit'])).stdout).toMatch(/Certificate chain length: 2/);
  });
});

describe('failures leave every file as it was', () => {
  it('a request with an altered signature: ERR_CSR_SIGNATURE, no certificate written', async () => {
    const node = await keytoolNode('tamper', 'PKCS12');
    const req = join(dir, 'tamper.csr');
    await ok(['csr', node, '--alias', 'msas1', '--out', req, ...storepass]);
    await openssl(['req', '-in', req, '-outform', 'DER', '-out', join(dir, 'tamper.der')]);
    const bytes = readFileSync(join(dir, 'tamper.der'));
    bytes[bytes.length - 5] ^= 0x40;
    writeFileSync(join(dir, 'tamper.der'), bytes);
    const before = snapshot();
    const r = await run(['sign', join(dir, 'tamper.der'), '--ca', ca, ...capass, '--out', join(dir, 'never.pem')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_CSR_SIGNATURE'));
    expect(snapshot()).toEqual(before);
  });

  it('a reply for another key: ERR_KEY_MISMATCH, keystore byte for byte unchanged', async () => {
    const node = await keytoolNode('mismatch', 'JKS');
    const other = await keytoolNode('other', 'JKS');
    const req = join(dir, 'other.csr');
    const cert = join(dir, 'other.pem');
    await ok(['csr', other, '--alias', 'msas1', '--out', req, ...storepass]);
    await ok(['sign', req, '--ca', ca, ...capass, '--out', cert]);
    const before = snapshot();
    const r = await run(['import', node, '--alias', 'msas1', '--reply', cert, '--ca', caPem, '--trust-root', await opensslFingerprint(caPem), ...storepass]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_KEY_MISMATCH'));
    expect(snapshot()).toEqual(before);
  });

  it('an untrusted root without --trust-root and no terminal: ERR_CHAIN_UNTRUSTED with the fingerprint to check', async () => {
    const node = await keytoolNode('untrusted', 'JKS');
    const req = join(dir, 'untrusted.csr');
    const cert = join(dir, 'untrusted.pem');
    await ok(['csr', node, '--alias', 'msas1', '--out', req, ...storepass]);
    await ok(['sign', req, '--ca', ca, ...capass, '--out', cert]);
    const before = snapshot();
    const r = await run(['import', node, '--alias', 'msas1', '--reply', cert, '--ca', caPem, ...storepass]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_CHAIN_UNTRUSTED'));
    expect(r.stderr).toContain(await opensslFingerprint(caPem));
    const wrong = await run(['import', node, '--alias', 'msas1', '--reply', cert, '--ca', caPem, '--trust-root', 'ab'.repeat(32), ...storepass]);
    expect(wrong.stderr).toMatch(ONE_LINE_ERROR('ERR_CHAIN_UNTRUSTED'));
    expect(snapshot()).toEqual(before);
  });

  it('an RSA 1024 request (openssl) needs --allow-weak; a CA:TRUE request needs --allow-ca or --profile ca: ERR_POLICY', async () => {
    const weak = join(dir, 'weak.csr');
    await openssl(['req', '-new', '-newkey', 'rsa:1024', '-nodes', '-keyout', join(dir, 'weak.key'), '-out', weak, '-subj', '/CN=weak.example.com']);
    const wantsCa = join(dir, 'wants-ca.csr');
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'wants-ca.key'), '-out', wantsCa, '-subj', '/CN=Sub CA', '-addext', 'basicConstraints=critical,CA:TRUE']);
    const before = snapshot();
    for (const csr of [weak, wantsCa]) {
      const r = await run(['sign', csr, '--ca', ca, ...capass, '--san', 'x.example.com', '--out', join(dir, 'never.pem')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_POLICY'));
    }
    expect(snapshot()).toEqual(before);
    await ok(['sign', weak, '--ca', ca, ...capass, '--allow-weak', '--out', join(dir, 'weak.pem')]);
    await ok(['sign', wantsCa, '--ca', ca, ...capass, '--profile', 'ca', '--out', join(dir, 'sub-ca.pem')]);
    expect((await openssl(['x509', '-in', join(dir, 'sub-ca.pem'), '-noout', '-text'])).stdout).toMatch(/CA:TRUE/);
  });

  it('an alias already in use for --trusted: ERR_ALIAS_EXISTS, as keytool refuses', async () => {
    const node = await keytoolNode('alias-taken', 'JKS');
    const before = snapshot();
    const r = await run(['import', node, '--alias', 'msas1', '--trusted', caPem, ...storepass]);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_ALIAS_EXISTS'));
    expect(snapshot()).toEqual(before);
  });

  it('a signing CA keystore entry that is not a CA: ERR_POLICY', async () => {
    const node = await keytoolNode('not-ca', 'PKCS12');
    const req = join(dir, 'for-not-ca.csr');
    await ok(['csr', node, '--alias', 'msas1', '--out', req, ...storepass]);
    const r = await run(['sign', req, '--ca', node, '--ca-storepass', 'env:STOREPASS', '--out', join(dir, 'never.pem')]);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_POLICY'));
    expect(existsSync(join(dir, 'never.pem'))).toBe(false);
  });
});

describe('help', () => {
  it.each([['ca', 'init'], ['csr'], ['sign'], ['import']])('hapki %s --help ends with examples and exit codes', async (...command) => {
    const r = await run([...command.filter((c) => c !== undefined), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n {2}hapki [\s\S]*Exit codes:\n {2}0 {2}success\n[\s\S]*2 {2}usage error\n$/);
    expect(r.stdout).not.toMatch(/<(?!ERR_CODE>)[A-Z]/);
  });
});
