import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/issue/build_crl.js';
import { issuerFacts } from '../../src/issue/issuer.js';
import { openPkcs11Issuer } from '../../src/pkcs11/pkcs11_issuer.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { softHsm, USER_PIN } from '../helpers/softhsm.js';
import { keytool, keytoolFingerprints, mustRun, openssl, tempDir, tool } from '../helpers/tools.js';

/**
 * The seed procedure and the HSM commands, run as a user would, with the CA key in a SoftHSM
 * token of this file's own; keytool, openssl and pkcs11-tool judge the results.
 */
const hsm = softHsm();
const dir = tempDir();
const env = { ...hsm.env, HSM_PIN: USER_PIN, STOREPASS: 'changeit', TOKENPASS: 'token-secret' };
const pin = ['--pin', 'env:HSM_PIN'];
const RSA_CA = 'pkcs11:token=hapki-ca;object=ca';
const EC_CA = 'pkcs11:token=hapki-ca;object=ec-ca';

async function run(args: string[]) {
  return hapki(args, { env, cwd: dir });
}

async function ok(args: string[]) {
  const r = await run(args);
  if (r.code !== 0) throw new Error(`hapki ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** The token's public key for a label, read by OpenSC's pkcs11-tool (not by hapki), as PEM. */
async function hsmPublicKey(label: string): Promise<string> {
  const der = join(dir, `${label}.pub.der`);
  await mustRun('pkcs11-tool', ['--module', hsm.module, '--token-label', 'hapki-ca', '--read-object', '--type', 'pubkey', '--label', label, '--output-file', der]);
  return (await openssl(['pkey', '-pubin', '-inform', 'DER', '-in', der])).stdout;
}

beforeAll(async () => {
  process.env.SOFTHSM2_CONF = hsm.conf;
  await hsm.initToken('hapki-ca');
  await ok(['ca', 'init', '--subject', 'CN=HSM Root CA,O=Example', '--key', RSA_CA, ...pin, '--bits', '2048', '--cert-out', 'ca.pem']);
  await ok(['ca', 'init', '--subject', 'CN=HSM EC Root CA,O=Example', '--key', EC_CA, ...pin, '--kty', 'ec', '--curve', 'P-256', '--cert-out', 'ec-ca.pem']);
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'any.key'), '-subj', '/CN=any.example.com', '-out', join(dir, 'any.csr')]);
});

describe('CA keys in SoftHSM through the command line', () => {
  it('ca init --key makes the key on the token, never extractable, its certificate beside it: the key the certificate holds is the token\'s', async () => {
    const caPub = (await openssl(['x509', '-in', join(dir, 'ca.pem'), '-noout', '-pubkey'])).stdout;
    expect(caPub).toBe(await hsmPublicKey('ca'));
    expect((await openssl(['x509', '-in', join(dir, 'ec-ca.pem'), '-noout', '-pubkey'])).stdout).toBe(await hsmPublicKey('ec-ca'));
    const objects = await mustRun('pkcs11-tool', ['--module', hsm.module, '--token-label', 'hapki-ca', '--login', '--pin', USER_PIN, '--list-objects', '--type', 'privkey']);
    const caKey = objects.stdout.split(/\n(?=Private Key Object)/).find((block) => /label:\s+ca\n/.test(block))!;
    expect(caKey).toMatch(/Access:\s+sensitive, always sensitive, never extractable/);
    // Java's own PKCS#11 keystore sees the key and the certificate as one entry
    writeFileSync(join(dir, 'p11.cfg'), `name = SoftHSM\nlibrary = ${hsm.module}\nslotListIndex = 0\n`);
    const listing = await keytool(['-list', '-v', '-keystore', 'NONE', '-storetype', 'PKCS11', '-providerClass', 'sun.security.pkcs11.SunPKCS11', '-providerArg', join(dir, 'p11.cfg'), '-storepass', USER_PIN]);
    expect(listing.stdout).toMatch(/Alias name: ca\n[\s\S]*?Entry type: PrivateKeyEntry/);
    const fingerprint = (await openssl(['x509', '-in', join(dir, 'ca.pem'), '-noout', '-fingerprint', '-sha256'])).stdout.split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
    expect(keytoolFingerprints(listing.stdout)).toContain(fingerprint);
  });

  it('the seed procedure: CSR from a keytool JKS, signed by the HSM CA with the load balancer\'s name, the reply imported by keytool', async () => {
    const jks = join(dir, 'gateway.jks');
    await keytool(['-genkeypair', '-alias', 'msas1', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=msas1.example.com', '-storetype', 'JKS', '-keystore', jks, '-storepass', 'changeit', '-keypass', 'changeit']);
    await keytool(['-certreq', '-alias', 'msas1', '-keystore', jks, '-storepass', 'changeit', '-file', join(dir, 'msas1.csr')]);
    await ok(['sign', 'msas1.csr', '--ca', RSA_CA, ...pin, '--san', 'lbrhost.example.com', '--chain', '--out', 'msas1.pem']);
    await keytool(['-importcert', '-noprompt', '-alias', 'hsm-root', '-file', join(dir, 'ca.pem'), '-keystore', jks, '-storepass', 'changeit']);
    await keytool(['-importcert', '-alias', 'msas1', '-file', join(dir, 'msas1.pem'), '-keystore', jks, '-storepass', 'changeit']);
    const listing = (await keytool(['-list', '-v', '-alias', 'msas1', '-keystore', jks, '-storepass', 'changeit'])).stdout;
    expect(listing).toContain('Certificate chain length: 2');
    expect(listing).toMatch(/DNSName: lbrhost\.example\.com/);
    expect(listing).toMatch(/Issuer: CN=HSM Root CA, O=Example/);
    expect((await openssl(['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'msas1.pem')])).stdout).toContain('msas1.pem: OK');
  });

  it('EC P-256: a certificate signed in the HSM verifies with openssl against the HSM\'s public key', async () => {
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'node.key'), '-subj', '/CN=node.example.com', '-out', join(dir, 'node.csr')]);
    const signed = await ok(['sign', 'node.csr', '--ca', EC_CA, ...pin, '--out', 'node.pem']);
    // named by its URI alone, the HSM CA has no file to keep its record beside: the signer is told so now, not at revoke
    expect(signed.stderr).toMatch(/warning: this CA keeps no issuance record .*--ca-cert/);
    expect((await openssl(['verify', '-CAfile', join(dir, 'ec-ca.pem'), join(dir, 'node.pem')])).stdout).toContain('node.pem: OK');
    expect((await openssl(['x509', '-in', join(dir, 'node.pem'), '-noout', '-text'])).stdout).toContain('Signature Algorithm: ecdsa-with-SHA256');
  });

  it('an intermediate in a keystore and a token key, both signed by the HSM CA; --extractable writes the token key for the instances', async () => {
    await ok(['ca', 'init', '--subject', 'CN=Gateway CA', '--ca', RSA_CA, ...pin, '--kty', 'ec', '--path-len', '0', '--out', 'sub.p12', '--outpass', 'env:STOREPASS']);
    const sub = await openssl(['pkcs12', '-in', join(dir, 'sub.p12'), '-passin', 'pass:changeit', '-nokeys', '-clcerts']);
    writeFileSync(join(dir, 'sub.pem'), sub.stdout);
    expect((await openssl(['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'sub.pem')])).stdout).toContain('sub.pem: OK');
    await ok(['token', 'issue', '--key', 'pkcs11:token=hapki-ca;object=msas-token', ...pin, '--ca', RSA_CA, '--subject', 'CN=msas-token', '--bits', '2048', '--extractable', '--out', 'token.p12', '--outpass', 'env:TOKENPASS']);
    const listing = (await keytool(['-list', '-v', '-keystore', join(dir, 'token.p12'), '-storetype', 'PKCS12', '-storepass', 'token-secret'])).stdout;
    expect(listing).toMatch(/Entry type: PrivateKeyEntry/);
    expect(listing).toContain('Certificate chain length: 2');
    const key = await openssl(['pkcs12', '-in', join(dir, 'token.p12'), '-passin', 'pass:token-secret', '-nocerts', '-nodes']);
    writeFileSync(join(dir, 'token.key'), key.stdout);
    const keyPub = (await openssl(['pkey', '-in', join(dir, 'token.key'), '-pubout'])).stdout;
    expect(keyPub).toBe(await hsmPublicKey('msas-token'));
    // a keystore that could not be written (no password for it) is found out before any key is made
    const nopass = await run(['token', 'issue', '--key', 'pkcs11:token=hapki-ca;object=nopass-token', ...pin, '--self-signed', '--subject', 'CN=t', '--bits', '2048', '--extractable', '--out', 'nopass.p12']);
    expect(nopass.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_REQUIRED'));
    expect((await ok(['list', 'pkcs11:token=hapki-ca', ...pin])).stdout).not.toContain('nopass-token');
    // without --extractable the key stays in the HSM and no keystore is written
    const refused = await run(['token', 'issue', '--key', 'pkcs11:token=hapki-ca;object=other-token', ...pin, '--self-signed', '--subject', 'CN=t', '--out', 'other.p12']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
  });

  it('hapki list pkcs11: shows the token like a keystore', async () => {
    const r = await ok(['list', 'pkcs11:token=hapki-ca', ...pin]);
    expect(r.stdout).toMatch(/^Keystore format: PKCS11, \d+ entries\n/);
    expect(r.stdout).toMatch(/\nca: private-key, RSA 2048, chain length 1\n {2}Subject: CN=HSM Root CA, O=Example\n/);
    expect(r.stdout).toMatch(/\nec-ca: private-key, EC P-256 256, chain length 1\n/);
    expect(r.stdout).toMatch(/\nmsas-token: private-key, RSA 2048, chain length 2\n/);
    const json = JSON.parse((await ok(['list', 'pkcs11:token=hapki-ca', ...pin, '--json'])).stdout) as { entries: { alias: string; extractable?: boolean; uri: string }[] };
    expect(json.entries.find((e) => e.alias === 'ca')).toMatchObject({ extractable: false, uri: expect.stringMatching(/^pkcs11:token=hapki-ca;id=[%0-9a-f]+;object=ca;type=private$/) });
    expect(json.entries.find((e) => e.alias === 'msas-token')).toMatchObject({ extractable: true });
  });

  it('takes the PIN from the URI\'s pin-source (an RFC 7512 file: URI too), and without any PIN and no terminal asks for one', async () => {
    const byEnv = await run(['list', 'pkcs11:token=hapki-ca?pin-source=env:HSM_PIN']);
    expect(byEnv.code, byEnv.stderr).toBe(0);
    writeFileSync(join(dir, 'pin.txt'), `${USER_PIN}\n`, { mode: 0o600 });
    const byFile = await run(['list', `pkcs11:token=hapki-ca?pin-source=file://${join(dir, 'pin.txt')}`]);
    expect(byFile.code, byFile.stderr).toBe(0);
    expect(byFile.stdout).toBe(byEnv.stdout);
    const none = await run(['list', 'pkcs11:token=hapki-ca']);
    expect(none.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_REQUIRED'));
    expect(none.stderr).toContain('--pin');
  });

  it.each([
    [['--pin', 'pass:000000'], 'ERR_PKCS11_PIN'],
    [['--pin', 'env:HSM_PIN', '--pkcs11-module', '/nonexistent/libpkcs11.so'], 'ERR_PKCS11_MODULE'],
  ])('a failing sign (%s) is one line with %s, and writes nothing', async (extra, code) => {
    const r = await run(['sign', 'any.csr', '--ca', RSA_CA, ...extra, '--out', 'never.pem']);
    expect(r.stderr.split('\n').filter((l) => !l.includes('warning')).join('\n')).toMatch(ONE_LINE_ERROR(code));
    expect(r.code).toBe(1);
    expect(() => readFileSync(join(dir, 'never.pem'))).toThrow();
  });

  it.each([
    ['RSA', RSA_CA, 'ca.pem'],
    ['EC P-256', EC_CA, 'ec-ca.pem'],
  ])('%s: a CRL signed in the HSM verifies with openssl against the CA certificate', async (_name, location, caPem) => {
    const { issuer, key } = await openPkcs11Issuer(location, { module: hsm.module, pin: USER_PIN });
    try {
      const facts = issuerFacts(issuer);
      const now = new Date();
      const crl = await buildCrl(
        { issuer: facts.name, authorityKeyId: facts.keyId, thisUpdate: now, nextUpdate: new Date(now.getTime() + 7 * 86_400_000), number: 1, revoked: [{ serial: '0a1b2c', date: now, reason: 'keyCompromise' }] },
        issuer.signer,
      );
      writeFileSync(join(dir, `${caPem}.crl`), crl);
      const checked = await tool('openssl', ['crl', '-inform', 'DER', '-in', join(dir, `${caPem}.crl`), '-CAfile', join(dir, caPem), '-noout', '-text']);
      expect(checked.stderr + checked.stdout).toMatch(/verify OK/);
      expect(checked.stdout).toMatch(/Serial Number: 0A1B2C/);
    } finally {
      key.close();
    }
  });

  it('a missing object and a missing token have their own codes; a key without a certificate asks for --ca-cert', async () => {
    const missing = await run(['sign', 'any.csr', '--ca', 'pkcs11:token=hapki-ca;object=nope', ...pin, '--out', 'never.pem']);
    expect(missing.stderr).toMatch(ONE_LINE_ERROR('ERR_PKCS11_OBJECT_NOT_FOUND'));
    const token = await run(['sign', 'any.csr', '--ca', 'pkcs11:token=nope;object=ca', ...pin, '--out', 'never.pem']);
    expect(token.stderr).toMatch(ONE_LINE_ERROR('ERR_PKCS11_TOKEN_NOT_FOUND'));
    // a key with another CA's certificate given is refused, not used
    const mismatch = await run(['sign', 'any.csr', '--ca', EC_CA, ...pin, '--ca-cert', 'ca.pem', '--out', 'never.pem']);
    expect(mismatch.stderr).toMatch(ONE_LINE_ERROR('ERR_KEY_MISMATCH'));
    // a key pair another tool made, with no certificate on the token
    await mustRun('pkcs11-tool', ['--module', hsm.module, '--token-label', 'hapki-ca', '--login', '--pin', USER_PIN, '--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'bare', '--id', '0b']);
    const bare = await run(['sign', 'any.csr', '--ca', 'pkcs11:token=hapki-ca;object=bare', ...pin, '--out', 'never.pem']);
    expect(bare.stderr).toMatch(ONE_LINE_ERROR('ERR_PKCS11_OBJECT_NOT_FOUND'));
    expect(bare.stderr).toContain('--ca-cert');
  });
});
