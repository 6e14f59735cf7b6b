import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { keytoolFingerprints, mustRun, tempDir } from '../helpers/tools.js';

/**
 * Keystores BouncyCastle writes, read by hapki, and what hapki writes, read by BouncyCastle: its
 * PKCS12 types (BER, 3DES/RC2 variants) as plain PKCS#12; BKS read (not written); UBER and BCFKS
 * recognised and answered with the keytool command that converts them. The vendored files in
 * fixtures/bouncycastle/ need no Java; the rest runs BouncyCastle 1.72 through keytool's -providerpath
 * (scripts/setup.sh installs libbcprov-java; a missing jar fails this file, it is not skipped).
 */
const BC_JAR = '/usr/share/java/bcprov.jar';
const BC_DIR = join(FIXTURES, 'bouncycastle');
const FIXTURE_PASS = 'bc-fixture-pass';
const PASS = 'bc-live-pass';
const dir = tempDir('hapki-bc-');
const at = (name: string): string => join(dir, name);

interface ExpectedEntry {
  alias: string;
  type: 'private-key' | 'trusted-cert' | 'secret-key';
  sha256: string[];
}
const EXPECTED = JSON.parse(readFileSync(join(BC_DIR, 'expected.json'), 'utf8')) as Record<string, { type: string; entries: ExpectedEntry[] }>;

/** keytool with BouncyCastle as the keystore provider (one JVM per call: the JIT flags make it start faster). */
const BC = ['-J-Duser.language=en', '-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC', '-providerpath', BC_JAR, '-providerclass', 'org.bouncycastle.jce.provider.BouncyCastleProvider'];
const bcKeytool = (args: readonly string[]): ReturnType<typeof mustRun> => mustRun('keytool', [...BC, ...args]);

/** keytool with a non-ASCII argument: the JVM decodes its arguments by the locale, so UTF-8 here whatever the machine's default. */
async function keytoolUtf8(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('keytool', [...args], { env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 127, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** What BouncyCastle's keystore lists: alias → entry type and chain fingerprints. */
async function bcListing(file: string, storetype: string, pass: string): Promise<ExpectedEntry[]> {
  const listing = (await bcKeytool(['-list', '-v', '-providername', 'BC', '-storetype', storetype, '-keystore', file, '-storepass', pass])).stdout;
  return listing
    .split('Alias name: ')
    .slice(1)
    .map((block) => ({
      alias: block.split('\n')[0]!.trim(),
      type: /Entry type: PrivateKeyEntry/.test(block) ? ('private-key' as const) : /Entry type: SecretKeyEntry/.test(block) ? ('secret-key' as const) : ('trusted-cert' as const),
      sha256: keytoolFingerprints(block),
    }))
    .sort((a, b) => a.alias.localeCompare(b.alias));
}

/** What hapki lists, in the same shape. */
async function hapkiListing(file: string, pass: string, keypass?: string): Promise<ExpectedEntry[]> {
  const listed = await hapki(['list', file, '--storepass', 'env:P', '--json', ...(keypass ? ['--keypass', 'env:K'] : [])], { env: { P: pass, ...(keypass ? { K: keypass } : {}) } });
  expect(listed.code, listed.stderr).toBe(0);
  const entries = (JSON.parse(listed.stdout) as { entries: { alias: string; type: string; chain?: { sha256: string }[]; certificate?: { sha256: string } }[] }).entries;
  return entries
    .map((e) => ({ alias: e.alias.toLowerCase(), type: e.type as ExpectedEntry['type'], sha256: e.chain ? e.chain.map((c) => c.sha256) : e.certificate ? [e.certificate.sha256] : [] }))
    .sort((a, b) => a.alias.localeCompare(b.alias));
}

/** The entry's private key, exported by hapki, must be the key of its certificate: the public halves agree. */
async function expectKeyMatchesCertificate(file: string, pass: string, alias: string): Promise<void> {
  const env = { P: pass };
  const key = await hapki(['export', file, '--alias', alias, '--what', 'key', '--no-encrypt', '--out', '-', '--storepass', 'env:P', '-q'], { env });
  expect(key.code, key.stderr).toBe(0);
  const cert = await hapki(['export', file, '--alias', alias, '--what', 'cert', '--out', '-', '--storepass', 'env:P', '-q'], { env });
  expect(cert.code, cert.stderr).toBe(0);
  const fromKey = createPublicKey(createPrivateKey(key.stdout)).export({ type: 'spki', format: 'der' });
  const fromCert = new X509Certificate(cert.stdout).publicKey.export({ type: 'spki', format: 'der' });
  expect(Buffer.compare(fromKey, fromCert)).toBe(0);
}

describe('BouncyCastle-written keystores vendored in fixtures/bouncycastle (no Java needed)', () => {
  it.each(['bc-pkcs12.p12', 'bc-pkcs12-def.p12', 'bc-pkcs12-3des-3des.p12'])('%s: hapki lists what BouncyCastle lists, and its keys are the certificates\' keys', async (name) => {
    const file = join(BC_DIR, name);
    expect(await hapkiListing(file, FIXTURE_PASS)).toEqual(EXPECTED[name]!.entries);
    for (const alias of ['rsa', 'ec256', 'ec384']) await expectKeyMatchesCertificate(file, FIXTURE_PASS, alias);
  });

  it('the files are BER, down to the SafeContents inside the encrypted contents (what the reader must accept here)', () => {
    for (const name of ['bc-pkcs12.p12', 'bc-pkcs12-def.p12', 'bc-pkcs12-3des-3des.p12']) {
      const bytes = readFileSync(join(BC_DIR, name));
      // PFX, authSafe and its [0] with indefinite lengths; the AuthenticatedSafe as a constructed OCTET STRING
      expect([bytes[0], bytes[1], bytes[5], bytes[6], bytes[18], bytes[19], bytes[20], bytes[21]], name).toEqual([0x30, 0x80, 0x30, 0x80, 0xa0, 0x80, 0x24, 0x80]);
    }
  });

  it('a wrong password is ERR_KEYSTORE_PASSWORD on a BER store too', async () => {
    const r = await hapki(['list', join(BC_DIR, 'bc-pkcs12.p12'), '--storepass', 'env:P'], { env: { P: 'not-the-password' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_KEYSTORE_PASSWORD'));
  });

  it('bc.bks (BKS version 2): hapki lists what BouncyCastle lists, and its key is the certificate\'s key', async () => {
    const file = join(BC_DIR, 'bc.bks');
    expect(await hapkiListing(file, FIXTURE_PASS)).toEqual(EXPECTED['bc.bks']!.entries);
    await expectKeyMatchesCertificate(file, FIXTURE_PASS, 'gateway');
  });

  it('bc.bks: without the password its certificates list (unchecked, as keytool -list does); a wrong password is ERR_KEYSTORE_PASSWORD', async () => {
    const file = join(BC_DIR, 'bc.bks');
    const open = await hapki(['list', file, '--json']);
    expect(open.code, open.stderr).toBe(0);
    const entry = (JSON.parse(open.stdout) as { entries: { alias: string; chain: { sha256: string }[] }[] }).entries[0]!;
    expect(entry.chain.map((c) => c.sha256)).toEqual(EXPECTED['bc.bks']!.entries[0]!.sha256);
    expect(open.stderr).toContain('integrity check was skipped');
    const wrong = await hapki(['list', file, '--storepass', 'env:P'], { env: { P: 'not-the-password' } });
    expect(wrong.stderr).toMatch(ONE_LINE_ERROR('ERR_KEYSTORE_PASSWORD'));
  });

  it('a change to a BKS store is refused (hapki does not write BKS), and the file is left as it was', async () => {
    const copy = at('unchanged.bks');
    copyFileSync(join(BC_DIR, 'bc.bks'), copy);
    const r = await hapki(['import', copy, '--alias', 'other-root', '--trusted', join(FIXTURES, 'ca.pem'), '--storepass', 'env:P'], { env: { P: FIXTURE_PASS } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSUPPORTED_KEYSTORE'));
    expect(Buffer.compare(readFileSync(copy), readFileSync(join(BC_DIR, 'bc.bks')))).toBe(0);
  });

  it.each([
    ['bc.uber', 'UBER'],
    ['bc.bcfks', 'BCFKS'],
  ])('%s is recognised as %s, in one coded line with the keytool command that converts it', async (name, type) => {
    const r = await hapki(['list', join(BC_DIR, name), '--storepass', 'env:P'], { env: { P: FIXTURE_PASS } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSUPPORTED_KEYSTORE'));
    expect(r.stderr).toContain(`a BouncyCastle ${type} keystore`);
    expect(r.stderr).toContain(`keytool -importkeystore -srckeystore FILE -srcstoretype ${type} -srcprovidername BC`);
    expect(r.stderr).toContain('-deststoretype PKCS12');
  });

  it('an audit of a directory names a BCFKS store as unreadable, instead of passing over it', async () => {
    const auditDir = tempDir('hapki-bc-audit-');
    copyFileSync(join(BC_DIR, 'bc.bcfks'), join(auditDir, 'truststore.bcfks'));
    const r = await hapki(['audit', auditDir, '--json']);
    expect(r.stdout).toContain('ERR_UNSUPPORTED_KEYSTORE');
    expect(r.stdout).toContain('truststore.bcfks');
  });
});

describe('real BouncyCastle 1.72 through keytool', () => {
  beforeAll(() => {
    // CI installs it (scripts/setup.sh): its absence is a broken machine, not a reason to skip
    expect(existsSync(BC_JAR), `${BC_JAR} is missing: run scripts/setup.sh (libbcprov-java)`).toBe(true);
  });

  let ca: string;
  const store = at('bc-gateway.p12');

  it('a BER PKCS12 BouncyCastle writes: its CSR signed by hapki, the reply installed by BouncyCastle, listed alike by both', async () => {
    const caStore = at('ca.p12');
    ca = at('ca.pem');
    const made = await hapki(['ca', 'init', '--subject', 'CN=hapki BC Interop Root', '--kty', 'ec', '--curve', 'P-384', '--out', caStore, '--outpass', 'env:P', '--cert-out', ca], { env: { P: PASS } });
    expect(made.code, made.stderr).toBe(0);
    const k = ['-providername', 'BC', '-storetype', 'PKCS12', '-keystore', store, '-storepass', PASS, '-keypass', PASS];
    await bcKeytool([...k, '-genkeypair', '-alias', 'gateway', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=gw.bc.example.com']);
    await bcKeytool([...k, '-certreq', '-alias', 'gateway', '-file', at('gateway.csr')]);
    const signed = await hapki(['sign', at('gateway.csr'), '--ca', caStore, '--ca-storepass', 'env:P', '--san', 'gw.bc.example.com', '--out', at('gateway.pem')], { env: { P: PASS } });
    expect(signed.code, signed.stderr).toBe(0);
    await bcKeytool([...k, '-importcert', '-noprompt', '-alias', 'root', '-file', ca]);
    await bcKeytool([...k, '-importcert', '-noprompt', '-alias', 'gateway', '-file', at('gateway.pem')]);
    expect(readFileSync(store)[1]).toBe(0x80); // BouncyCastle's PKCS12 type writes BER
    const bc = await bcListing(store, 'PKCS12', PASS);
    expect(bc.map((e) => [e.alias, e.type, e.sha256.length])).toEqual([
      ['gateway', 'private-key', 2],
      ['root', 'trusted-cert', 1],
    ]);
    expect(await hapkiListing(store, PASS)).toEqual(bc);
    await expectKeyMatchesCertificate(store, PASS, 'gateway');
  });

  it('hapki csr, import --reply and import --trusted rewrite a BouncyCastle store that BouncyCastle still reads', async () => {
    const rewritten = at('bc-rewritten.p12');
    copyFileSync(store, rewritten);
    const env = { P: PASS };
    const csr = await hapki(['csr', rewritten, '--alias', 'gateway', '--storepass', 'env:P', '--out', at('again.csr')], { env });
    expect(csr.code, csr.stderr).toBe(0);
    const signed = await hapki(['sign', at('again.csr'), '--ca', at('ca.p12'), '--ca-storepass', 'env:P', '--san', 'gw.bc.example.com', '--out', at('again.pem')], { env });
    expect(signed.code, signed.stderr).toBe(0);
    const reply = await hapki(['import', rewritten, '--alias', 'gateway', '--reply', at('again.pem'), '--ca', ca, '--storepass', 'env:P'], { env });
    expect(reply.code, reply.stderr).toBe(0);
    const other = join(FIXTURES, 'ca.pem');
    const trusted = await hapki(['import', rewritten, '--alias', 'other-root', '--trusted', other, '--storepass', 'env:P'], { env });
    expect(trusted.code, trusted.stderr).toBe(0);
    const bc = await bcListing(rewritten, 'PKCS12', PASS);
    expect(bc.map((e) => e.alias)).toEqual(['gateway', 'other-root', 'root']);
    const newLeaf = new X509Certificate(readFileSync(at('again.pem'))).fingerprint256.replace(/:/g, '').toLowerCase();
    expect(bc.find((e) => e.alias === 'gateway')!.sha256[0]).toBe(newLeaf);
    expect(bc.find((e) => e.alias === 'other-root')!.sha256).toEqual([new X509Certificate(readFileSync(other)).fingerprint256.replace(/:/g, '').toLowerCase()]);
    expect(await hapkiListing(rewritten, PASS)).toEqual(bc);
  });

  it('PKCS#12 hapki writes (modern and --legacy), converted from a BouncyCastle store, is read by BouncyCastle with the same entries and keys', async () => {
    const source = join(BC_DIR, 'bc-pkcs12.p12');
    const expected = EXPECTED['bc-pkcs12.p12']!.entries;
    const env = { P: FIXTURE_PASS };
    for (const [name, extra] of [
      ['modern.p12', []],
      ['legacy.p12', ['--legacy']],
    ] as const) {
      const converted = await hapki(['convert', source, at(name), '--storepass', 'env:P', ...extra], { env });
      expect(converted.code, converted.stderr).toBe(0);
      expect(await bcListing(at(name), 'PKCS12', FIXTURE_PASS)).toEqual(expected);
    }
    // BouncyCastle decrypts every key of hapki's file and writes them into a store of its own (DER, 3DES)
    await bcKeytool([
      '-importkeystore', '-noprompt',
      '-srckeystore', at('modern.p12'), '-srcstoretype', 'PKCS12', '-srcprovidername', 'BC', '-srcstorepass', FIXTURE_PASS,
      '-destkeystore', at('bc-copy.p12'), '-deststoretype', 'PKCS12-DEF-3DES-3DES', '-destprovidername', 'BC', '-deststorepass', FIXTURE_PASS,
    ]);
    expect(await hapkiListing(at('bc-copy.p12'), FIXTURE_PASS)).toEqual(expected);
    for (const alias of ['rsa', 'ec256', 'ec384']) {
      const original = await hapki(['export', source, '--alias', alias, '--what', 'key', '--no-encrypt', '--out', '-', '-q', '--storepass', 'env:P'], { env });
      const copied = await hapki(['export', at('bc-copy.p12'), '--alias', alias, '--what', 'key', '--no-encrypt', '--out', '-', '-q', '--storepass', 'env:P'], { env });
      const der = (pem: string): Buffer => createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
      expect(Buffer.compare(der(original.stdout), der(copied.stdout)), alias).toBe(0);
    }
  });

  it('a BouncyCastle PKCS12 under a non-ASCII password and alias (BMPString in its KDF) opens in hapki, key included', async () => {
    const file = at('umlaut.p12');
    const pass = 'pässwört€-1';
    const made = await keytoolUtf8([...BC, '-providername', 'BC', '-storetype', 'PKCS12', '-keystore', file, '-storepass', pass, '-keypass', pass, '-genkeypair', '-alias', 'schlüssel', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=umlaut.bc.example.com']);
    expect(made.code, made.stderr).toBe(0);
    const listed = await hapkiListing(file, pass);
    expect(listed.map((e) => [e.alias, e.type])).toEqual([['schlüssel', 'private-key']]);
    await expectKeyMatchesCertificate(file, pass, 'schlüssel');
  });

  it('hapki writing a PKCS#12 under a non-ASCII password warns that the JDK cannot open it; the JDK indeed refuses it, BouncyCastle and OpenSSL read it', async () => {
    const pass = 'pässwört€-2';
    const out = at('umlaut-out.p12');
    const converted = await hapki(['convert', join(BC_DIR, 'bc-pkcs12.p12'), out, '--storepass', 'env:P', '--outpass', 'env:N'], { env: { P: FIXTURE_PASS, N: pass } });
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stderr).toContain("the JDK's PKCS12 (keytool, Java's KeyStore) cannot open the file");
    const jdk = await keytoolUtf8(['-J-Duser.language=en', '-J-XX:TieredStopAtLevel=1', '-list', '-storetype', 'PKCS12', '-keystore', out, '-storepass', pass]);
    expect(jdk.code).not.toBe(0);
    expect(jdk.stdout + jdk.stderr).toContain('password was incorrect');
    // keytool lists BouncyCastle's view, then fails a check of its own with the JDK's PKCS12: judge the listing
    const bc = await keytoolUtf8([...BC, '-providername', 'BC', '-list', '-storetype', 'PKCS12', '-keystore', out, '-storepass', pass]);
    expect(bc.stdout).toContain('Keystore provider: BC');
    expect(bc.stdout.match(/PrivateKeyEntry/g)).toHaveLength(3);
    await mustRun('openssl', ['pkcs12', '-in', out, '-passin', `pass:${pass}`, '-noout']);
    const ascii = await hapki(['convert', join(BC_DIR, 'bc-pkcs12.p12'), at('ascii-out.p12'), '--storepass', 'env:P'], { env: { P: FIXTURE_PASS } });
    expect(ascii.stderr).not.toContain('outside ASCII');
  });

  it('a BKS store BouncyCastle writes (RSA key with a chain, trusted certificate, AES key, a key under its own password): hapki lists what BouncyCastle lists, and converts it to a PKCS#12 BouncyCastle reads', async () => {
    const bks = at('gateway.bks');
    const k = ['-providername', 'BC', '-storetype', 'BKS', '-keystore', bks, '-storepass', PASS];
    await bcKeytool([...k, '-importcert', '-noprompt', '-alias', 'root', '-file', ca]);
    await bcKeytool([...k, '-importcert', '-noprompt', '-alias', 'gateway-chain', '-file', at('gateway.pem')]);
    await bcKeytool([...k, '-keypass', PASS, '-genkeypair', '-alias', 'rsa', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=bks.bc.example.com']);
    await bcKeytool([...k, '-keypass', PASS, '-genseckey', '-alias', 'aes', '-keyalg', 'AES', '-keysize', '256']);
    await bcKeytool([...k, '-keypass', 'own-key-pass', '-genkeypair', '-alias', 'own', '-keyalg', 'EC', '-groupname', 'secp384r1', '-dname', 'CN=own.bc.example.com']);
    const bc = await bcListing(bks, 'BKS', PASS);
    expect(bc.map((e) => [e.alias, e.type])).toEqual([
      ['aes', 'secret-key'],
      ['gateway-chain', 'trusted-cert'],
      ['own', 'private-key'],
      ['root', 'trusted-cert'],
      ['rsa', 'private-key'],
    ]);
    expect(await hapkiListing(bks, PASS, 'own-key-pass')).toEqual(bc);
    const listed = await hapki(['list', bks, '--storepass', 'env:P', '--json'], { env: { P: PASS } });
    const aes = (JSON.parse(listed.stdout) as { entries: { alias: string; algorithm?: string; bits?: number }[] }).entries.find((e) => e.alias === 'aes');
    expect([aes?.algorithm, aes?.bits]).toEqual(['AES', 256]);
    await expectKeyMatchesCertificate(bks, PASS, 'rsa');
    // the key under its own password stays sealed without it, and opens with it
    expect(listed.stderr).toContain('key "own" stays sealed');
    const own = await hapki(['export', bks, '--alias', 'own', '--what', 'key', '--no-encrypt', '--out', '-', '-q', '--storepass', 'env:P', '--keypass', 'env:K'], { env: { P: PASS, K: 'own-key-pass' } });
    expect(own.code, own.stderr).toBe(0);
    const converted = await hapki(['convert', bks, at('from-bks.p12'), '--storepass', 'env:P', '--keypass', 'env:K'], { env: { P: PASS, K: 'own-key-pass' } });
    expect(converted.code, converted.stderr).toBe(0);
    // BouncyCastle 1.72's PKCS12 leaves secret keys out of what it lists; everything else is there
    expect(await bcListing(at('from-bks.p12'), 'PKCS12', PASS)).toEqual(bc.filter((e) => e.type !== 'secret-key'));
  });

  it('a BCFKS store: hapki names the keytool command, and the PKCS#12 that command makes lists as BouncyCastle lists the BCFKS', async () => {
    const bcfks = at('gateway.bcfks');
    await bcKeytool(['-providername', 'BC', '-storetype', 'BCFKS', '-keystore', bcfks, '-storepass', PASS, '-keypass', PASS, '-genkeypair', '-alias', 'gateway', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=bcfks.bc.example.com']);
    const refused = await hapki(['list', bcfks, '--storepass', 'env:P'], { env: { P: PASS } });
    expect(refused.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSUPPORTED_KEYSTORE'));
    // the command exactly as hapki gives it, FILE filled in
    const command = /with (keytool -importkeystore .*?-deststoretype PKCS12)/.exec(refused.stderr)![1]!;
    const args = command.split(' ').slice(1).map((a) => (a === 'FILE' ? bcfks : a === 'FILE.p12' ? at('from-bcfks.p12') : a));
    await mustRun('keytool', ['-J-XX:TieredStopAtLevel=1', ...args, '-srcstorepass', PASS, '-deststorepass', PASS, '-noprompt']);
    const hapkiSide = await hapkiListing(at('from-bcfks.p12'), PASS);
    expect(hapkiSide.map((e) => [e.alias, e.type])).toEqual([['gateway', 'private-key']]);
    expect(hapkiSide[0]!.sha256).toEqual((await bcListing(bcfks, 'BCFKS', PASS))[0]!.sha256);
  });
});
