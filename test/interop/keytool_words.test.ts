import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { INTEROP, REPO_ROOT } from '../helpers/fixtures.js';
import { keytool, keytoolFingerprints, openssl, tempDir } from '../helpers/tools.js';

/**
 * What keytool's users type, as they type it: `list -v`, `-rfc`. The stores are keytool's own.
 */
const run = promisify(execFile);
const dir = tempDir('hapki-keytool-words-');
const env = { P: 'words-pass-1' };
const at = (name: string): string => join(dir, name);

beforeAll(async () => {
  const made = await keytool(['-genkeypair', '-alias', 'Server1', '-keyalg', 'EC', '-groupname', 'secp384r1', '-dname', 'CN=words.example.com', '-validity', '30', '-keystore', at('gw.p12'), '-storepass', env.P]);
  expect(made.code, made.stderr).toBe(0);
}, 60_000);

describe('keytool words', () => {
  it('list -v (and -v anywhere, or --verbose) lists what list lists: -v is --verbose, as -q is --quiet', async () => {
    const plain = await hapki(['list', at('gw.p12'), '--storepass', 'env:P'], { env });
    expect(plain.code, plain.stderr).toBe(0);
    for (const args of [['list', '-v', at('gw.p12')], ['list', at('gw.p12'), '-v'], ['-v', 'list', at('gw.p12')], ['list', '--verbose', at('gw.p12')]]) {
      const verbose = await hapki([...args, '--storepass', 'env:P'], { env });
      expect(verbose.code, verbose.stderr).toBe(0);
      expect(verbose.stdout).toBe(plain.stdout);
    }
    expect(plain.stdout).toMatch(/^server1: private-key, EC P-384 384, chain length 1$/im);
    // on a failure -v adds the cause, as --verbose does
    const missing = await hapki(['list', '-v', at('none.p12')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ERR_FILE_NOT_FOUND/);
    expect(missing.stderr).toMatch(/cause: ENOENT/);
    expect((await hapki(['list', at('none.p12')])).stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_NOT_FOUND'));
  });
});

describe('export of a chain as PKCS#7 (.p7b), as openssl crl2pkcs7 -nocrl writes it and keytool -importcert reads a reply', () => {
  const kt = (store: string, ...args: string[]): Promise<unknown> => keytool([...args, '-keystore', at(store), '-storepass', env.P]);
  let rootPem = '';

  beforeAll(async () => {
    // root -> intermediate (hapki) -> the node's key from keytool, its reply installed by hapki
    for (const args of [
      ['ca', 'init', '--subject', 'CN=P7 Root,O=Example', '--kty', 'ec', '--out', at('root.p12'), '--outpass', 'env:P', '--cert-out', at('root.pem')],
      ['ca', 'init', '--subject', 'CN=P7 Sub,O=Example', '--kty', 'ec', '--ca', at('root.p12'), '--ca-storepass', 'env:P', '--out', at('sub.p12'), '--outpass', 'env:P'],
    ]) {
      const r = await hapki(args, { env });
      expect(r.code, r.stderr).toBe(0);
    }
    rootPem = readFileSync(at('root.pem'), 'utf8');
    await kt('node.jks', '-genkeypair', '-alias', 'node', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=node.example.com', '-storetype', 'JKS', '-keypass', env.P);
    copyFileSync(at('node.jks'), at('fresh.jks'));
    copyFileSync(at('node.jks'), at('fresh2.jks'));
    await kt('node.jks', '-certreq', '-alias', 'node', '-file', at('node.csr'));
    const signed = await hapki(['sign', at('node.csr'), '--ca', at('sub.p12'), '--ca-storepass', 'env:P', '--chain', '--out', at('node.pem')], { env });
    expect(signed.code, signed.stderr).toBe(0);
    const fp = (await openssl(['x509', '-in', at('root.pem'), '-noout', '-fingerprint', '-sha256'])).stdout.split('=')[1]!.trim();
    const installed = await hapki(['import', at('node.jks'), '--alias', 'node', '--reply', at('node.pem'), '--trust-root', fp, '--storepass', 'env:P'], { env });
    expect(installed.code, installed.stderr).toBe(0);
  }, 120_000);

  it('by the .p7b name: DER byte for byte what openssl crl2pkcs7 -nocrl writes of the same chain, leaf first', async () => {
    const r = await hapki(['export', at('node.jks'), '--alias', 'node', '--out', at('chain.p7b'), '--storepass', 'env:P'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('(PKCS7, 3 certificates)');
    const pem = await hapki(['export', at('node.jks'), '--alias', 'node', '--what', 'chain', '--out', at('chain.pem'), '--storepass', 'env:P'], { env });
    expect(pem.code, pem.stderr).toBe(0);
    await openssl(['crl2pkcs7', '-nocrl', '-certfile', at('chain.pem'), '-outform', 'DER', '-out', at('openssl.p7b')]);
    expect(Buffer.from(readFileSync(at('chain.p7b'))).equals(readFileSync(at('openssl.p7b')))).toBe(true);
    const printed = (await openssl(['pkcs7', '-inform', 'DER', '-in', at('chain.p7b'), '-print_certs', '-noout'])).stdout;
    expect([...printed.matchAll(/^subject=(.*)$/gm)].map((m) => m[1])).toEqual(['CN = node.example.com', 'O = Example, CN = P7 Sub', 'O = Example, CN = P7 Root']);
    const keytoolView = (await keytool(['-printcert', '-file', at('chain.p7b')])).stdout;
    expect([...keytoolView.matchAll(/^Owner: (.*)$/gm)].map((m) => m[1])).toEqual(['CN=node.example.com', 'CN=P7 Sub, O=Example', 'CN=P7 Root, O=Example']);
  });

  it('keytool -importcert installs it as the reply of the key it certifies: chain length 3', async () => {
    await kt('fresh.jks', '-importcert', '-alias', 'p7-root', '-file', at('root.pem'), '-noprompt');
    const result = await keytool(['-importcert', '-alias', 'node', '-file', at('chain.p7b'), '-keystore', at('fresh.jks'), '-storepass', env.P]);
    const installed = result.stdout + result.stderr;
    expect(installed).toMatch(/Certificate reply was installed in keystore/);
    const listing = (await keytool(['-list', '-v', '-alias', 'node', '-keystore', at('fresh.jks'), '-storepass', env.P])).stdout;
    expect(listing).toMatch(/Certificate chain length: 3/);
    const exported = (await openssl(['pkcs7', '-inform', 'DER', '-in', at('chain.p7b'), '-print_certs'])).stdout;
    expect(exported).toContain(rootPem.trim().split('\n')[1]!);
    expect(keytoolFingerprints(listing)).toHaveLength(3);
  });

  it('--out-format p7b under any name, .p7c, --what cert; a key or the whole entry is refused before anything is written', async () => {
    const asked = await hapki(['export', at('node.jks'), '--alias', 'node', '--out-format', 'p7b', '--out', at('chain.bin'), '--storepass', 'env:P'], { env });
    expect(asked.code, asked.stderr).toBe(0);
    expect(readFileSync(at('chain.bin'))).toEqual(readFileSync(at('chain.p7b')));
    const leaf = await hapki(['export', at('node.jks'), '--alias', 'node', '--what', 'cert', '--out', at('leaf.p7c'), '--storepass', 'env:P'], { env });
    expect(leaf.code, leaf.stderr).toBe(0);
    expect((await openssl(['pkcs7', '-inform', 'DER', '-in', at('leaf.p7c'), '-print_certs', '-noout'])).stdout.match(/^subject=/gm)).toHaveLength(1);
    // without --alias, the only entry's: named as every other format names it
    const single = await hapki(['export', at('node.jks'), '--alias', 'node', '--out', at('single.p12'), '--storepass', 'env:P'], { env });
    expect(single.code, single.stderr).toBe(0);
    const only = await hapki(['export', at('single.p12'), '--out', at('only.p7b'), '--storepass', 'env:P', '--json'], { env });
    expect(only.code, only.stderr).toBe(0);
    expect(JSON.parse(only.stdout)).toMatchObject({ alias: 'node', what: 'chain', format: 'PKCS7' });
    expect(only.stderr).toContain('wrote chain "node" to');
    for (const extra of [['--what', 'all'], ['--what', 'key'], ['--outpass', 'env:P'], ['--legacy']]) {
      const refused = await hapki(['export', at('node.jks'), '--alias', 'node', ...extra, '--out', at('refused.p7b'), '--storepass', 'env:P'], { env });
      expect(refused.code, extra.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
      expect(existsSync(at('refused.p7b'))).toBe(false);
    }
  });

  it('hapki reads back what it wrote: list shows 3 certificates, import --reply installs it into keytool\'s fresh key', async () => {
    const listed = await hapki(['list', at('chain.p7b'), '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { entries: unknown[] }).entries).toHaveLength(3);
    const fp = (await openssl(['x509', '-in', at('root.pem'), '-noout', '-fingerprint', '-sha256'])).stdout.split('=')[1]!.trim();
    const installed = await hapki(['import', at('fresh2.jks'), '--alias', 'node', '--reply', at('chain.p7b'), '--trust-root', fp, '--storepass', 'env:P'], { env });
    expect(installed.code, installed.stderr).toBe(0);
    expect((await keytool(['-list', '-v', '-alias', 'node', '-keystore', at('fresh2.jks'), '-storepass', env.P])).stdout).toMatch(/Certificate chain length: 3/);
  });
});

describe('export writes the format its --out name says, as convert does (it wrote PEM into server.p12 and cert.der)', () => {
  it('.p12 is a PKCS#12 openssl and keytool open; .der and .cer a DER certificate; .crt and a name without extension PEM', async () => {
    const p12 = await hapki(['export', at('gw.p12'), '--alias', 'server1', '--out', at('one.p12'), '--storepass', 'env:P'], { env });
    expect(p12.code, p12.stderr).toBe(0);
    expect(p12.stderr).toContain('(PKCS12)');
    expect((await openssl(['pkcs12', '-in', at('one.p12'), '-passin', `pass:${env.P}`, '-nokeys'])).stdout).toContain('BEGIN CERTIFICATE');
    expect((await keytool(['-list', '-keystore', at('one.p12'), '-storepass', env.P])).stdout).toMatch(/server1, .*PrivateKeyEntry/);
    for (const name of ['one.der', 'one.cer']) {
      const der = await hapki(['export', at('gw.p12'), '--alias', 'server1', '--what', 'cert', '--out', at(name), '--storepass', 'env:P'], { env });
      expect(der.code, der.stderr).toBe(0);
      expect((await openssl(['x509', '-inform', 'DER', '-in', at(name), '-noout', '-subject'])).stdout).toContain('words.example.com');
    }
    for (const name of ['one.crt', 'one-cert']) {
      const pem = await hapki(['export', at('gw.p12'), '--alias', 'server1', '--what', 'cert', '--out', at(name), '--storepass', 'env:P'], { env });
      expect(pem.code, pem.stderr).toBe(0);
      expect(readFileSync(at(name), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/m);
    }
    // a DER name cannot hold a key with its chain: refused, naming the way out, nothing written
    const all = await hapki(['export', at('gw.p12'), '--alias', 'server1', '--out', at('all.der'), '--storepass', 'env:P'], { env });
    expect(all.code).toBe(1);
    expect(existsSync(at('all.der'))).toBe(false);
  });
});

describe("the shell's <(...) as an input file, as openssl users hand -CAfile <(...)", () => {
  const bash = async (script: string): Promise<{ code: number; stdout: string; stderr: string }> => {
    const hapkiCommand = `"${process.execPath}" "${join(REPO_ROOT, 'bin', 'hapki.js')}"`;
    try {
      const { stdout, stderr } = await run('bash', ['-c', script.replaceAll('HAPKI', hapkiCommand)], { cwd: dir, env: { ...process.env, ...env } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('import --trusted <(openssl ...) makes the trust store keytool lists; verify --trust <(...) judges by it', async () => {
    const imported = await bash(`HAPKI import trust.jks --alias p7-root --trusted <(openssl pkcs12 -in root.p12 -passin env:P -nokeys) --storepass env:P`);
    expect(imported.code, imported.stderr).toBe(0);
    expect((await keytool(['-list', '-keystore', at('trust.jks'), '-storepass', env.P])).stdout).toMatch(/p7-root, .*trustedCertEntry/);
    const verified = await bash(`HAPKI verify node.pem --trust <(openssl x509 -in root.pem) --untrusted <(openssl pkcs7 -inform DER -in chain.p7b -print_certs)`);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^OK: CN=node\.example\.com/m);
  });

  it('a named FIFO is still refused at once (no writer may ever come), and a pipe is read within the size bound', async () => {
    await run('mkfifo', [at('named.fifo')]);
    const fifo = await bash(`HAPKI list named.fifo`);
    expect(fifo.code).toBe(1);
    expect(fifo.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    const endless = await bash(`HAPKI list <(head -c 70000000 /dev/zero)`);
    expect(endless.code).toBe(1);
    expect(endless.stderr).toMatch(/too large/);
  });
});

describe('convert of a store whose keys each have a password of their own (pyjks custom_entry_passwords)', () => {
  const source = join(INTEROP, 'pyjks', 'jceks', 'custom_entry_passwords.jceks');
  const passes = { SP: 'store_password', KP: 'private_password', KS: 'secret_password' };

  it('--keypass-in <alias>=<src> per key: every entry reaches the PKCS#12 keytool lists; one --keypass cannot open both', async () => {
    const one = await hapki(['convert', source, at('cep-one.p12'), '--storepass', 'env:SP', '--keypass', 'env:KP', '--outpass', 'env:SP'], { env: passes });
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(ONE_LINE_ERROR('ERR_KEY_PASSWORD'));
    const each = await hapki(['convert', source, at('cep.p12'), '--storepass', 'env:SP', '--keypass-in', 'private=env:KP', '--keypass-in', 'secret=env:KS', '--outpass', 'env:SP'], { env: passes });
    expect(each.code, each.stderr).toBe(0);
    const listing = (await keytool(['-list', '-keystore', at('cep.p12'), '-storepass', passes.SP])).stdout;
    expect(listing).toMatch(/^private, .*PrivateKeyEntry/m);
    expect(listing).toMatch(/^secret, .*SecretKeyEntry/m);
    expect(listing).toMatch(/^cert, .*trustedCertEntry/m);
    const malformed = await hapki(['convert', source, at('cep-bad.p12'), '--storepass', 'env:SP', '--keypass-in', 'private', '--outpass', 'env:SP'], { env: passes });
    expect(malformed.code).toBe(2);
    expect(existsSync(at('cep-bad.p12'))).toBe(false);
  });

  // Regression: the PKCS#12 (and BKS) readers looked the alias up exactly while the JKS reader and
  // convert's check fold case, so --keypass-in LEAF= was accepted for "leaf" and never applied
  it('--keypass-in names a PKCS#12 key whatever the case, as for JKS: openssl -nomac, the key under a password of its own', async () => {
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('own.key'), '-out', at('own.pem'), '-subj', '/CN=own', '-days', '10']);
    await openssl(['pkcs12', '-export', '-nomac', '-certpbe', 'NONE', '-inkey', at('own.key'), '-in', at('own.pem'), '-name', 'leaf', '-out', at('own.p12'), '-passout', 'pass:own-key-pass-1']);
    const env2 = { SO: 'another-pass-1', KP: 'own-key-pass-1' };
    const r = await hapki(['convert', at('own.p12'), at('own-out.p12'), '--storepass', 'env:SO', '--keypass-in', 'LEAF=env:KP', '--allow-unverified', '--outpass', 'env:SO'], { env: env2 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 key under the output password');
    expect((await keytool(['-list', '-keystore', at('own-out.p12'), '-storepass', env2.SO])).stdout).toMatch(/^leaf, .*PrivateKeyEntry/m);
  });

  it('--keypass-in naming no key entry (a typo, a trusted certificate) is refused, never dropped without a word', async () => {
    for (const stray of ['privat=env:KP', 'cert=env:KP']) {
      const r = await hapki(['convert', source, at('cep-stray.p12'), '--storepass', 'env:SP', '--keypass-in', 'private=env:KP', '--keypass-in', 'secret=env:KS', '--keypass-in', stray, '--outpass', 'env:SP'], { env: passes });
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
      expect(r.stderr).toContain(`--keypass-in "${stray.split('=')[0]}"`);
      expect(existsSync(at('cep-stray.p12'))).toBe(false);
    }
  });
});

describe('convert into PKCS#7: every certificate of a store, once, as a trust bundle', () => {
  const source = join(INTEROP, 'pyjks', 'jks', 'RSA2048_3certs.jks');
  const threeCerts = join(INTEROP, 'pyjks', 'jks', '3certs.jks');

  it('keytool -printcert and openssl pkcs7 show the chain of the key entry; keys are named and left out; a trust store imports into keytool', async () => {
    const r = await hapki(['convert', source, at('rsa3.p7b'), '--storepass', 'env:SP'], { env: { SP: '12345678' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('left out "mykey"');
    expect(r.stderr).toContain('wrote 3 certificates of 1 entries');
    const printed = (await keytool(['-printcert', '-file', at('rsa3.p7b')])).stdout;
    expect(keytoolFingerprints(printed)).toEqual(['c6f621a467cc9ea9e802a3aefd2f716d3b8143eabf0a007909772d796a60b80d', '347abff6396245799d67c308bd57bd4f9f3837f83df1c27db266477bebb635eb', '03622d5d587dc5a2cf1be3fcee76bfd717542c9e8e319b86cbc8ed37e54805a1']);
    const bundle = await hapki(['convert', threeCerts, at('three.p7b'), '--storepass', 'env:SP'], { env: { SP: '12345678' } });
    expect(bundle.code, bundle.stderr).toBe(0);
    // the same three certificates, once each, whether they came as trusted entries or as a chain
    expect((await openssl(['pkcs7', '-inform', 'DER', '-in', at('three.p7b'), '-print_certs', '-noout'])).stdout.match(/^subject=/gm)).toHaveLength(3);
    const unverified = await hapki(['convert', threeCerts, at('unverified.p7b')]);
    expect(unverified.code).toBe(1);
    expect(unverified.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_REQUIRED'));
    const protectedOut = await hapki(['convert', threeCerts, at('pw.p7b'), '--storepass', 'env:SP', '--outpass', 'env:SP'], { env: { SP: '12345678' } });
    expect(protectedOut.code).toBe(2);
    expect(existsSync(at('unverified.p7b')) || existsSync(at('pw.p7b'))).toBe(false);
  });
});

describe('an alias in capitals, as keytool users type -alias MyCA', () => {
  it('import --trusted into a JKS says the alias written (lower case, as keytool lists it); a PKCS#12 keeps the case given', async () => {
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('caps.key'), '-out', at('caps.pem'), '-subj', '/CN=Caps Root', '-days', '30']);
    const jks = await hapki(['import', at('caps.jks'), '--alias', 'My-Root', '--trusted', at('caps.pem'), '--storepass', 'env:P'], { env });
    expect(jks.code, jks.stderr).toBe(0);
    expect(jks.stderr).toContain('added trusted entry "my-root" (JKS aliases are lower case)');
    expect((await keytool(['-list', '-keystore', at('caps.jks'), '-storepass', env.P])).stdout).toMatch(/^my-root, .*trustedCertEntry/m);
    const p12 = await hapki(['import', at('caps.p12'), '--alias', 'My-Root', '--trusted', at('caps.pem'), '--storepass', 'env:P'], { env });
    expect(p12.code, p12.stderr).toBe(0);
    expect(p12.stderr).toContain('added trusted entry "My-Root"\n');
    // and the capitals find it again, as keytool's -alias does
    const listed = await hapki(['list', at('caps.jks'), '--alias', 'MY-ROOT', '--storepass', 'env:P'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^my-root: trusted-cert/m);
  });
});
