import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { keytool, keytoolFingerprints, openssl, tempDir, tool } from '../helpers/tools.js';

/**
 * What an operator who knows keytool and openssl does, judged by keytool and openssl:
 * `keytool -importcert -file ca.pem -keystore truststore.jks` makes the trust store when there is
 * none; `openssl x509 -trustout` writes a TRUSTED CERTIFICATE; a file named .der is DER to
 * `openssl x509 -inform DER`.
 */
const dir = tempDir('hapki-habits-');
const env = { P: 'habit-pass-1' };
const at = (name: string): string => join(dir, name);
let rootFingerprint = '';

beforeAll(async () => {
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('root.key'), '-out', at('root.pem'), '-subj', '/CN=Habit Root/O=Example', '-days', '30']);
  await openssl(['x509', '-in', at('root.pem'), '-trustout', '-addtrust', 'serverAuth', '-out', at('root-trusted.pem')]);
  rootFingerprint = (await openssl(['x509', '-in', at('root.pem'), '-noout', '-fingerprint', '-sha256'])).stdout.split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
}, 60_000);

describe('import --trusted into a keystore that does not exist yet makes it, as keytool -importcert does', () => {
  it.each([
    ['truststore.jks', 'JKS'],
    ['truststore.jceks', 'JCEKS'],
    ['truststore.p12', 'PKCS12'],
    ['cacerts', 'PKCS12'],
  ])('%s: keytool lists the trusted entry (%s)', async (name, type) => {
    const result = await hapki(['import', at(name), '--alias', 'habit-root', '--trusted', at('root.pem'), '--storepass', 'env:P'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`created ${at(name)} (${type})`);
    const listing = (await keytool(['-list', '-v', '-keystore', at(name), '-storetype', type, '-storepass', env.P])).stdout;
    expect(listing).toMatch(/Your keystore contains 1 entry/);
    expect(listing).toMatch(/Alias name: habit-root\s+Creation date: .*\s+Entry type: trustedCertEntry/);
    expect(keytoolFingerprints(listing)).toEqual([rootFingerprint]);
    // a second certificate goes into the store now there, under its password
    const again = await hapki(['import', at(name), '--alias', 'again', '--trusted', at('root-trusted.pem'), '--storepass', 'env:P'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('created');
  });

  it('a PEM or DER trust store needs no password, and openssl reads it', async () => {
    const pem = await hapki(['import', at('bundle.pem'), '--alias', 'habit-root', '--trusted', at('root.pem')]);
    expect(pem.code, pem.stderr).toBe(0);
    expect((await openssl(['x509', '-in', at('bundle.pem'), '-noout', '-fingerprint', '-sha256'])).stdout.replace(/:/g, '').toLowerCase()).toContain(rootFingerprint);
    // a bundle of certificates holds no password: adding to it asks for none either
    const more = await hapki(['import', at('bundle.pem'), '--alias', 'second', '--trusted', at('root-trusted.pem'), '--force']);
    expect(more.code, more.stderr).toBe(0);
    const der = await hapki(['import', at('root.der'), '--alias', 'habit-root', '--trusted', at('root.pem')]);
    expect(der.code, der.stderr).toBe(0);
    expect((await openssl(['x509', '-inform', 'DER', '-in', at('root.der'), '-noout', '-fingerprint', '-sha256'])).stdout.replace(/:/g, '').toLowerCase()).toContain(rootFingerprint);
  });

  it('a new PKCS#12 without --storepass is refused, writing nothing; --reply still wants the keystore there', async () => {
    const noPass = await hapki(['import', at('nopass.p12'), '--alias', 'r', '--trusted', at('root.pem')]);
    expect(noPass.code).toBe(1);
    expect(noPass.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_REQUIRED'));
    expect(existsSync(at('nopass.p12'))).toBe(false);
    const reply = await hapki(['import', at('absent.p12'), '--alias', 'r', '--reply', at('root.pem'), '--storepass', 'env:P'], { env });
    expect(reply.code).toBe(1);
    expect(reply.stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_NOT_FOUND'));
    expect(existsSync(at('absent.p12'))).toBe(false);
  });
});

describe("openssl's TRUSTED CERTIFICATE (x509 -trustout) is a certificate wherever one is read", () => {
  it('import --trusted takes it, and keytool sees the certificate without the trust settings', async () => {
    const store = at('trusted-form.jks');
    const result = await hapki(['import', store, '--alias', 'tc', '--trusted', at('root-trusted.pem'), '--storepass', 'env:P'], { env });
    expect(result.code, result.stderr).toBe(0);
    const listing = (await keytool(['-list', '-v', '-keystore', store, '-storepass', env.P])).stdout;
    expect(keytoolFingerprints(listing)).toEqual([rootFingerprint]);
  });

  // Regression: the trust settings were dropped whatever they said, so a certificate openssl was
  // told to distrust (-addreject) became a wholly trusted anchor in import --trusted and verify --trust
  it('one whose trust settings reject a use (-addreject) is refused, as openssl refuses it: nothing is made or trusted', async () => {
    await openssl(['x509', '-in', at('root.pem'), '-trustout', '-addreject', 'serverAuth', '-out', at('root-rejected.pem')]);
    const judged = await tool('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', at('root-rejected.pem'), at('root.pem')]);
    expect(judged.stdout + judged.stderr).toMatch(/rejected/);
    const store = at('rejected.jks');
    const imported = await hapki(['import', store, '--alias', 'tc', '--trusted', at('root-rejected.pem'), '--storepass', 'env:P'], { env });
    expect(imported.stderr).toMatch(ONE_LINE_ERROR('ERR_POLICY'));
    expect(imported.stderr).toContain('reject');
    expect(existsSync(store)).toBe(false);
    const verified = await hapki(['verify', at('root.pem'), '--trust', at('root-rejected.pem')]);
    expect(verified.code).not.toBe(0);
    expect(verified.stdout).not.toMatch(/^OK/m);
    expect(verified.stderr).toMatch(ONE_LINE_ERROR('ERR_POLICY'));
  });

  it('verify takes it as the trust store (for the use it is trusted for) and as --untrusted', async () => {
    const result = await hapki(['verify', at('root.pem'), '--trust', at('root-trusted.pem'), '--untrusted', at('root-trusted.pem'), '--purpose', 'server']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^OK: O=Example, CN=Habit Root/);
  });
});

describe('DER holds a key or a certificate, never a CA or a token with its key', () => {
  it.each([
    ['ca init --out ca.der', ['ca', 'init', '--subject', 'CN=Der CA', '--kty', 'ec', '--out', 'ca.der', '--outpass', 'env:P'], 'ca.der'],
    ['ca init --out-format der', ['ca', 'init', '--subject', 'CN=Der CA', '--kty', 'ec', '--out', 'ca2.p12', '--out-format', 'der', '--outpass', 'env:P'], 'ca2.p12'],
    ['token issue --out token.cer', ['token', 'issue', '--self-signed', '--subject', 'CN=Token', '--kty', 'ec', '--out', 'token.cer', '--outpass', 'env:P'], 'token.cer'],
    ['csr --new-key --keystore gw.der', ['csr', '--new-key', '--keystore', 'gw.der', '--alias', 'gw', '--subject', 'CN=gw', '--kty', 'ec', '--storepass', 'env:P', '--out', 'gw.csr'], 'gw.der'],
    ['csr --new-key --store-format der', ['csr', '--new-key', '--keystore', 'gw2.p12', '--store-format', 'DER', '--alias', 'gw', '--subject', 'CN=gw', '--kty', 'ec', '--storepass', 'env:P', '--out', 'gw2.csr'], 'gw2.p12'],
  ])('%s is a usage error before any key is made, naming the formats that do', async (_name, args, out) => {
    const cwd = tempDir('hapki-habits-der-');
    const result = await hapki(args, { env, cwd });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    expect(result.stderr).toContain('pkcs12|jks|jceks|pem');
    expect(existsSync(join(cwd, out))).toBe(false);
  });

  it.each([
    ['ca init --out ca.crt', ['ca', 'init', '--subject', 'CN=Crt CA', '--kty', 'ec', '--out', 'ca.crt', '--outpass', 'env:P'], 'ca.crt'],
    ['token issue --out token.key', ['token', 'issue', '--self-signed', '--subject', 'CN=Token', '--kty', 'ec', '--out', 'token.key', '--outpass', 'env:P'], 'token.key'],
  ])('%s is PEM, as the name says (it was a PKCS#12), and openssl reads its key and certificate', async (_name, args, out) => {
    const cwd = tempDir('hapki-habits-crt-');
    const result = await hapki(args, { env, cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(cwd, out), 'latin1')).toContain('-----BEGIN CERTIFICATE-----');
    writeFileSync(join(cwd, 'pass'), env.P, { mode: 0o600 });
    const key = (await openssl(['pkey', '-in', join(cwd, out), '-passin', `file:${join(cwd, 'pass')}`, '-pubout'])).stdout;
    expect(key).toBe((await openssl(['x509', '-in', join(cwd, out), '-noout', '-pubkey'])).stdout);
  });

  it('a PEM named .cer on purpose (--out-format pem) is still written, and openssl reads its key and certificate', async () => {
    const cwd = tempDir('hapki-habits-der-');
    const result = await hapki(['ca', 'init', '--subject', 'CN=Pem CA', '--kty', 'ec', '--out', 'ca.cer', '--out-format', 'pem', '--outpass', 'env:P'], { env, cwd });
    expect(result.code, result.stderr).toBe(0);
    writeFileSync(join(cwd, 'pass'), env.P, { mode: 0o600 });
    const key = (await openssl(['pkey', '-in', join(cwd, 'ca.cer'), '-passin', `file:${join(cwd, 'pass')}`, '-pubout'])).stdout;
    const cert = (await openssl(['x509', '-in', join(cwd, 'ca.cer'), '-noout', '-pubkey'])).stdout;
    expect(key).toBe(cert);
    expect(readFileSync(join(cwd, 'ca.cer'), 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
  });
});

describe("a keytool or openssl word is answered with the command's own option, never another command's", () => {
  it.each([
    [['list', 'x.p12', '--storetype', 'pkcs12'], "for --storetype, nothing: hapki tells a keystore's format from its content", '--out-format'],
    [['list', 'x.p12', '-storetype', 'pkcs12'], "for -storetype, nothing: hapki tells a keystore's format from its content", '--out-format'],
    [['list', 'x.p12', '--passout', 'env:X'], 'hapki has no such option', '--outpass'],
    [['verify', 'x.pem', '--deststorepass', 'env:X'], 'hapki has no such option', '--outpass'],
    [['list', 'x.p12', '--file', 'y'], 'for --file, the input file as the argument', '--out'],
    [['export', 'x.p12', '--alias', 'a', '--out', 'y.p12', '--storetype', 'pkcs12'], 'for --storetype, --out-format', undefined],
    [['list', 'x.p12', '--storepass:env', 'SP'], 'for --storepass:env, --storepass env:NAME', undefined],
    [['export', 'x.p12', '--alias', 'a', '--out', 'y', '--outpass:file', 'pw'], 'for --outpass:file, --outpass file:PATH', undefined],
  ])('%j', async (args, hint, notOffered) => {
    const cwd = tempDir('hapki-habits-hint-');
    const result = await hapki(args, { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    expect(result.stderr).toContain(hint);
    if (notOffered !== undefined) expect(result.stderr).not.toContain(notOffered);
  });
});

describe('a PEM that openssl pkcs12 -nodes dumped keeps its non-ASCII friendlyName', () => {
  // openssl 3.0 and 1.1 write each UTF-16 unit's low byte (Latin-1 for "Lëaf Ünï"), 3.2+ UTF-8:
  // read as UTF-8 only, the alias was "L\ufffdaf \ufffdn\ufffd"
  it('list shows the alias, and convert hands it to keytool', async () => {
    const key = at('named.key');
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', at('named.pem'), '-subj', '/CN=named.example.com', '-days', '30']);
    await openssl(['pkcs12', '-export', '-in', at('named.pem'), '-inkey', key, '-name', 'Lëaf Ünï', '-passout', `pass:${env.P}`, '-out', at('named.p12')]);
    await openssl(['pkcs12', '-in', at('named.p12'), '-passin', `pass:${env.P}`, '-nodes', '-out', at('dump.pem')]);
    const listed = await hapki(['list', at('dump.pem'), '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { entries: { alias: string }[] }).entries.map((e) => e.alias)).toEqual(['Lëaf Ünï']);
    const converted = await hapki(['convert', at('dump.pem'), at('dump.p12'), '--outpass', 'env:P'], { env });
    expect(converted.code, converted.stderr).toBe(0);
    const listing = (await keytool(['-list', '-keystore', at('dump.p12'), '-storepass', env.P])).stdout;
    expect(listing).toMatch(/^lëaf ünï, .*PrivateKeyEntry/m);
  });
});

describe('a trust store with its certificates in the clear and a MAC under the empty password stays one a JVM opens without a password', () => {
  // Python cryptography's serialize_java_truststore(..., NoEncryption()) and openssl -certpbe NONE
  // -passout pass: write it; a JVM without javax.net.ssl.trustStorePassword loads it with a null
  // password, skipping the MAC. hapki asked for --storepass to add to it, and with `pass:` wrote
  // the certificates encrypted: the JVM then saw no certificate at all.
  const countWithoutPassword = async (store: string): Promise<string> => {
    writeFileSync(at('Count.java'), `import java.io.FileInputStream;
import java.security.KeyStore;
public class Count {
  public static void main(String[] a) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(a[0])) { ks.load(in, null); }
    System.out.println(ks.size() + " " + new java.util.TreeSet<>(java.util.Collections.list(ks.aliases())));
  }
}
`);
    return (await tool('java', [at('Count.java'), store])).stdout.trim();
  };

  it.each([
    ['python cryptography serialize_java_truststore, NoEncryption', 'python'],
    ['openssl pkcs12 -export -nokeys -certpbe NONE -passout pass:', 'openssl'],
  ])('%s: import --trusted without a password keeps it so', async (_name, maker) => {
    const store = at(`empty-mac-${maker}.p12`);
    if (maker === 'python') {
      const script = [
        'import sys',
        'from cryptography import x509',
        'from cryptography.hazmat.primitives.serialization import pkcs12, NoEncryption',
        'c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())',
        'open(sys.argv[2], "wb").write(pkcs12.serialize_java_truststore([pkcs12.PKCS12Certificate(c, b"habit-root")], NoEncryption()))',
      ].join('\n');
      const made = await tool('python3', ['-c', script, at('root.pem'), store]);
      expect(made.code, made.stderr).toBe(0);
    } else {
      await openssl(['pkcs12', '-export', '-nokeys', '-in', at('root.pem'), '-certpbe', 'NONE', '-name', 'habit-root', '-passout', 'pass:', '-out', store]);
    }
    const other = at(`other-${maker}.pem`);
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`other-${maker}.key`), '-out', other, '-subj', '/CN=Other Root', '-days', '30']);
    const result = await hapki(['import', store, '--alias', 'other-root', '--trusted', other]);
    expect(result.code, result.stderr).toBe(0);
    const info = await openssl(['pkcs12', '-info', '-in', store, '-passin', 'pass:', '-nokeys']);
    expect(info.stderr).toMatch(/MAC: sha256/);
    expect(info.stderr).not.toMatch(/Encrypted data/);
    const counted = await countWithoutPassword(store);
    expect(counted).toMatch(/^2 /);
    expect(counted).toContain('other-root');
  });
});
