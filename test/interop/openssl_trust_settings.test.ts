import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { openssl, tempDir, tool } from '../helpers/tools.js';

/**
 * openssl's TRUSTED CERTIFICATE (`openssl x509 -trustout -addtrust <use>`) trusts a root for some
 * uses only. openssl verify anchors a path on it only for those: `-purpose sslserver` wants
 * serverAuth (or anyExtendedKeyUsage) in the list, `-purpose sslclient` clientAuth, and no purpose
 * anyExtendedKeyUsage; with no list at all the root is trusted for every use. hapki read such a
 * root as trusted for everything: a root its file trusts for clientAuth only anchored a TLS server.
 * openssl judges every case here.
 */
const dir = tempDir('hapki-trust-settings-');
const at = (name: string): string => join(dir, name);
const env = { P: 'settings-pass-1' };
const PASS = ['--storepass', 'env:P'];

const USES: Record<string, string[]> = {
  client: ['-addtrust', 'clientAuth'],
  server: ['-addtrust', 'serverAuth'],
  any: ['-addtrust', 'anyExtendedKeyUsage'],
  email: ['-addtrust', 'emailProtection'],
  both: ['-addtrust', 'serverAuth', '-addtrust', 'clientAuth'],
  none: [],
};

async function leaf(name: string, cn: string): Promise<void> {
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', `/CN=${cn}`]);
  writeFileSync(at(`${name}.ext`), `subjectAltName=DNS:${cn}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n`);
  await openssl(['x509', '-req', '-in', at(`${name}.csr`), '-CA', at('root.pem'), '-CAkey', at('root.key'), '-set_serial', name === 'master' ? '11' : '12', '-out', at(`${name}.pem`), '-days', '20', '-extfile', at(`${name}.ext`)]);
  await openssl(['pkcs12', '-export', '-inkey', at(`${name}.key`), '-in', at(`${name}.pem`), '-certfile', at('root.pem'), '-name', name, '-out', at(`${name}.p12`), '-passout', `pass:${env.P}`]);
}

beforeAll(async () => {
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('root.key'), '-out', at('root.pem'), '-subj', '/CN=Settings Root/O=Example', '-days', '30']);
  for (const [name, args] of Object.entries(USES)) await openssl(['x509', '-in', at('root.pem'), '-trustout', ...args, '-out', at(`root-${name}.pem`)]);
  await leaf('master', 'master.example.com');
  await leaf('slave', 'slave.example.com');
}, 120_000);

const PURPOSES: [string, string[], string[]][] = [
  ['no purpose', [], []],
  ['server', ['--purpose', 'server'], ['-purpose', 'sslserver']],
  ['client', ['--purpose', 'client'], ['-purpose', 'sslclient']],
];

describe('verify --trust anchors on a TRUSTED CERTIFICATE only for the uses it is trusted for, as openssl verify does', () => {
  for (const name of Object.keys(USES)) {
    it.each(PURPOSES)(`root trusted for ${name}: %s`, async (_label, hapkiPurpose, opensslPurpose) => {
      const judged = await tool('openssl', ['verify', ...opensslPurpose, '-CAfile', at(`root-${name}.pem`), at('master.pem')]);
      const opensslOk = judged.code === 0;
      const result = await hapki(['verify', at('master.pem'), '--trust', at(`root-${name}.pem`), ...hapkiPurpose]);
      expect(result.code === 0, `${result.stdout}${result.stderr} / openssl: ${judged.stdout}${judged.stderr}`).toBe(opensslOk);
      if (!opensslOk) {
        expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_CHAIN_UNTRUSTED'));
        expect(result.stderr).toContain('trusted there only for');
      }
    });
  }

  it('the cases openssl refuses are the ones that matter (the matrix is not all OK)', async () => {
    const refused = await tool('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', at('root-client.pem'), at('master.pem')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/rejected/);
  });

  it('--json carries the same verdict and reason', async () => {
    const result = await hapki(['verify', at('master.pem'), '--trust', at('root-client.pem'), '--purpose', 'server', '--json']);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as { valid: boolean; code: string; reason: string };
    expect(json).toMatchObject({ valid: false, code: 'ERR_CHAIN_UNTRUSTED' });
    expect(json.reason).toContain('only for clientAuth');
  });

  it('a directly trusted self-signed certificate is judged the same way', async () => {
    expect((await hapki(['verify', at('root.pem'), '--trust', at('root-server.pem')])).code).toBe(1);
    expect((await tool('openssl', ['verify', '-CAfile', at('root-server.pem'), at('root.pem')])).code).not.toBe(0);
    expect((await hapki(['verify', at('root.pem'), '--trust', at('root-server.pem'), '--purpose', 'server'])).code).toBe(0);
  });

  it('trust settings that do not parse are refused (ERR_KEYSTORE_FORMAT), never read as trust for every use', async () => {
    const block = readFileSync(at('root-client.pem'), 'utf8');
    const der = Buffer.from(block.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const certLength = 4 + der.readUInt16BE(2);
    // the certificate, then an X509_CERT_AUX whose trust list holds a NULL where an OID goes
    const broken = Buffer.concat([der.subarray(0, certLength), Buffer.from([0x30, 0x04, 0x30, 0x02, 0x05, 0x00])]);
    writeFileSync(at('root-broken.pem'), `-----BEGIN TRUSTED CERTIFICATE-----\n${broken.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END TRUSTED CERTIFICATE-----\n`);
    expect((await tool('openssl', ['verify', '-CAfile', at('root-broken.pem'), at('master.pem')])).code).not.toBe(0);
    const result = await hapki(['verify', at('master.pem'), '--trust', at('root-broken.pem'), '--purpose', 'server']);
    expect(result.code).not.toBe(0);
    expect(result.stdout).not.toMatch(/^OK/m);
    expect(result.stderr).toMatch(/\(ERR_[A-Z_]+\)\n$/);
    expect(result.stderr).not.toContain('ERR_INTERNAL');
  });
});

describe('trust check honours the settings of a PEM trust store per direction', () => {
  // roles: the master checks each slave as a TLS client, a slave checks the master as a TLS server
  it('a master trusting the root for clientAuth and a slave trusting it for serverAuth pass', async () => {
    const stores = ['--trust-store-for', `${at('master.p12')}=${at('root-client.pem')}`, '--trust-store-for', `${at('slave.p12')}=${at('root-server.pem')}`];
    const result = await hapki(['trust', 'check', '--master', at('master.p12'), '--slave', at('slave.p12'), ...stores, ...PASS], { env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('the settings the other way round fail both directions (ERR_CHAIN_UNTRUSTED)', async () => {
    const stores = ['--trust-store-for', `${at('master.p12')}=${at('root-server.pem')}`, '--trust-store-for', `${at('slave.p12')}=${at('root-client.pem')}`];
    const result = await hapki(['trust', 'check', '--master', at('master.p12'), '--slave', at('slave.p12'), ...stores, ...PASS, '--json'], { env });
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as { ok: boolean; pairs: { valid: boolean; code?: string }[] };
    expect(json.ok).toBe(false);
    expect(json.pairs.map((p) => [p.valid, p.code])).toEqual([
      [false, 'ERR_CHAIN_UNTRUSTED'],
      [false, 'ERR_CHAIN_UNTRUSTED'],
    ]);
    // openssl agrees on both
    expect((await tool('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', at('root-server.pem'), at('slave.pem')])).code).not.toBe(0);
    expect((await tool('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', at('root-client.pem'), at('master.pem')])).code).not.toBe(0);
  });
});

describe('a PEM trust store rewritten by hapki keeps the trust settings of its entries', () => {
  it('import --trusted into a bundle holding a clientAuth-only root: openssl still reads that root as clientAuth-only', async () => {
    const bundle = at('bundle.pem');
    writeFileSync(bundle, readFileSync(at('root-client.pem')));
    const other = at('other.pem');
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('other.key'), '-out', other, '-subj', '/CN=Other Root', '-days', '30']);
    const imported = await hapki(['import', bundle, '--alias', 'other', '--trusted', other]);
    expect(imported.code, imported.stderr).toBe(0);
    const text = readFileSync(bundle, 'utf8');
    expect(text).toContain('-----BEGIN TRUSTED CERTIFICATE-----');
    // openssl still refuses the clientAuth-only root for a TLS server, and takes it for a client
    expect((await tool('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', bundle, at('master.pem')])).code).not.toBe(0);
    expect((await tool('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', bundle, at('master.pem')])).code).toBe(0);
    expect((await hapki(['verify', at('master.pem'), '--trust', bundle, '--purpose', 'server'])).code).toBe(1);
    expect((await hapki(['verify', at('master.pem'), '--trust', bundle, '--purpose', 'client'])).code).toBe(0);
  });

  it('import --trusted of a root its file trusts for some uses only warns that the entry is trusted for every use', async () => {
    const result = await hapki(['import', at('limited.jks'), '--alias', 'r', '--trusted', at('root-server.pem'), ...PASS], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/only for serverAuth .*trusted for every use/);
    const plain = await hapki(['import', at('plain.jks'), '--alias', 'r', '--trusted', at('root-any.pem'), ...PASS], { env });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain('only for');
  });

  it('export --what cert into PEM keeps the settings: openssl still refuses the clientAuth-only root for a TLS server', async () => {
    const out = at('exported-client.pem');
    const result = await hapki(['export', at('root-client.pem'), '--what', 'cert', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('-----BEGIN TRUSTED CERTIFICATE-----');
    expect((await tool('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', out, at('master.pem')])).code).not.toBe(0);
    expect((await tool('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', out, at('master.pem')])).code).toBe(0);
  });

  it.each([
    ['convert', 'limited.p12', (out: string) => ['convert', at('root-client.pem'), out, '--outpass', 'env:P']],
    ['convert', 'limited-conv.jks', (out: string) => ['convert', at('root-client.pem'), out, '--outpass', 'env:P']],
    ['convert', 'limited.p7b', (out: string) => ['convert', at('root-client.pem'), out]],
    ['export', 'limited-exp.p12', (out: string) => ['export', at('root-client.pem'), '--what', 'cert', '--out', out, '--outpass', 'env:P']],
    ['export', 'limited-exp.der', (out: string) => ['export', at('root-client.pem'), '--what', 'cert', '--out', out]],
    ['export', 'limited-exp.p7b', (out: string) => ['export', at('root-client.pem'), '--out', out]],
  ])('%s into %s (no per-use trust there) warns that the root becomes trusted for every use', async (_command, name, args) => {
    const result = await hapki(args(at(name)), { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/"settings-root" is trusted only for clientAuth .*trusted for every use/);
    const plain = await hapki(args(at(`plain-${name}`)).map((a) => a.replace('root-client.pem', 'root-any.pem')), { env });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain('only for');
  });
});

describe('list shows the uses a TRUSTED CERTIFICATE is limited to', () => {
  it('list (text and --json) names the uses; a root trusted for every use shows none', async () => {
    const listed = await hapki(['list', at('root-both.pem')]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('Trusted for: serverAuth, clientAuth only');
    const json = JSON.parse((await hapki(['list', at('root-client.pem'), '--json'])).stdout) as { entries: { trustedFor?: string[] }[] };
    expect(json.entries[0]!.trustedFor).toEqual(['clientAuth']);
    for (const plain of ['root-any.pem', 'root-none.pem', 'root.pem']) {
      const out = await hapki(['list', at(plain), '--json']);
      expect(out.code, out.stderr).toBe(0);
      expect((JSON.parse(out.stdout) as { entries: { trustedFor?: string[] }[] }).entries[0]!.trustedFor).toBeUndefined();
    }
  });
});
