import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificates } from '../../src/keystore/read_certificates.js';
import { crlsFromBytes } from '../../src/revocation/crl_bytes.js';
import { MAX_CRL_BYTES, readCrl } from '../../src/revocation/crl_read.js';
import { checkTrustMesh } from '../../src/trust/trust_check.js';
import { validatePath } from '../../src/trust/validate_path.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { opensslCaConfig } from '../helpers/openssl_ca.js';
import { openssl, tempDir } from '../helpers/tools.js';

/** CRLs made by `openssl ca` (a real CRL issuer), checked by validatePath and `hapki verify --crl`. */
const dir = tempDir();
const p = (name: string): string => join(dir, name);
const cert = (name: string): Uint8Array => readCertificates(new Uint8Array(readFileSync(p(`${name}.pem`))), name)[0]!;
const crl = (name: string): Uint8Array => crlsFromBytes(new Uint8Array(readFileSync(p(name))), name)[0]!;

const config = (ca: string): string => opensslCaConfig({ index: p(`${ca}-index.txt`), crlnumber: p(`${ca}-crlnumber`), certificate: p(`${ca}.pem`), key: p(`${ca}.key`) });

async function makeCa(name: string): Promise<void> {
  writeFileSync(p(`${name}-index.txt`), '');
  writeFileSync(p(`${name}-crlnumber`), '1000\n');
  writeFileSync(p(`${name}.cnf`), config(name));
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p(`${name}.key`)]);
  await openssl(['req', '-x509', '-new', '-key', p(`${name}.key`), '-subj', `/CN=${name}`, '-days', '30', '-config', p(`${name}.cnf`), '-extensions', 'v3_ca', '-out', p(`${name}.pem`)]);
}

async function makeLeaf(name: string, ca: string, serial: string): Promise<void> {
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p(`${name}.key`), '-subj', `/CN=${name}`, '-config', p(`${ca}.cnf`), '-out', p(`${name}.csr`)]);
  await openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p(`${ca}.pem`), '-CAkey', p(`${ca}.key`), '-set_serial', serial, '-days', '20', '-extfile', p(`${ca}.cnf`), '-extensions', 'leaf', '-out', p(`${name}.pem`)]);
}

beforeAll(async () => {
  await makeCa('root');
  await makeCa('other');
  await makeLeaf('good', 'root', '0x1001');
  await makeLeaf('bad', 'root', '0x1002');
  await openssl(['ca', '-config', p('root.cnf'), '-revoke', p('bad.pem'), '-crl_reason', 'keyCompromise']);
  await openssl(['ca', '-config', p('root.cnf'), '-gencrl', '-out', p('root.crl')]);
  await openssl(['ca', '-config', p('root.cnf'), '-gencrl', '-crlhours', '1', '-out', p('short.crl')]);
  await openssl(['ca', '-config', p('root.cnf'), '-gencrl', '-md', 'sha1', '-out', p('sha1.crl')]);
  await openssl(['ca', '-config', p('other.cnf'), '-gencrl', '-out', p('other.crl')]);
  await openssl(['crl', '-in', p('root.crl'), '-outform', 'DER', '-out', p('root.crl.der')]);
}, 60_000);

const options = (crls: Uint8Array[], extra: object = {}) => ({ trusted: [cert('root')], hostname: 'gw.example.com', crls, ...extra });

describe('CRL checking', () => {
  it('a certificate not on its issuer\'s CRL is good', async () => {
    const result = await validatePath(cert('good'), options([crl('root.crl')]));
    expect(result).toMatchObject({ valid: true, revocation: [{ subject: 'CN=good', status: 'good' }] });
  });

  it('a revoked certificate fails with ERR_REVOKED and its reason', async () => {
    const result = await validatePath(cert('bad'), options([crl('root.crl')]));
    expect(result).toMatchObject({ valid: false, code: 'ERR_REVOKED' });
    expect(result.reason).toMatch(/"CN=bad" was revoked on .*keyCompromise/);
  });

  it('without a CRL from its issuer the status is reported undetermined; --crl-required makes it a failure', async () => {
    expect(await validatePath(cert('bad'), options([crl('other.crl')]))).toMatchObject({ valid: true, revocation: [{ status: 'undetermined', detail: 'no CRL given covers it' }] });
    expect(await validatePath(cert('bad'), options([crl('other.crl')], { crlRequired: true }))).toMatchObject({ valid: false, code: 'ERR_REVOCATION_UNKNOWN' });
  });

  it('a CRL past its nextUpdate establishes nothing', async () => {
    const later = new Date(Date.now() + 3 * 3600_000);
    const result = await validatePath(cert('bad'), options([crl('short.crl')], { at: later, crlRequired: true }));
    expect(result).toMatchObject({ valid: false, code: 'ERR_REVOCATION_UNKNOWN' });
    expect(result.reason).toMatch(/out of date/);
  });

  it('a SHA-1 signed CRL is not relied on, unless SHA-1 is allowed', async () => {
    const refused = await validatePath(cert('bad'), options([crl('sha1.crl')], { crlRequired: true }));
    expect(refused).toMatchObject({ valid: false, code: 'ERR_REVOCATION_UNKNOWN' });
    expect(refused.reason).toMatch(/ecdsa-with-SHA1/);
    expect(await validatePath(cert('bad'), options([crl('sha1.crl')], { allowSha1: true }))).toMatchObject({ valid: false, code: 'ERR_REVOKED' });
  });

  it("another CA's CRL says nothing about this CA's certificates", async () => {
    expect(await validatePath(cert('good'), options([crl('other.crl')], { crlRequired: true }))).toMatchObject({ valid: false, code: 'ERR_REVOCATION_UNKNOWN' });
  });
});

describe('trust check with CRLs', () => {
  it("fails the pair whose peer is revoked, and only that one", async () => {
    const nodes = [
      { name: 'master', role: 'master' as const, certificateChain: [cert('good')] },
      { name: 'slave', role: 'slave' as const, certificateChain: [cert('bad')] },
    ];
    const anchors = new Map([['master', [cert('root')]], ['slave', [cert('root')]]]);
    const result = await checkTrustMesh(nodes, anchors, { purpose: 'any', crls: [crl('root.crl')] });
    expect(result.ok).toBe(false);
    expect(result.pairs).toMatchObject([
      { truster: 'master', peer: 'slave', valid: false, code: 'ERR_REVOKED' },
      { truster: 'slave', peer: 'master', valid: true },
    ]);
    expect((await checkTrustMesh(nodes, anchors, { purpose: 'any' })).ok).toBe(true);
  });
});

describe('bad CRL input', () => {
  it('malformed and truncated CRLs fail with ERR_CRL_FORMAT', () => {
    const der = crl('root.crl');
    expect(() => readCrl(der.subarray(0, der.length - 5))).toThrow(expect.objectContaining({ code: 'ERR_CRL_FORMAT' }));
    expect(() => readCrl(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toThrow(expect.objectContaining({ code: 'ERR_CRL_FORMAT' }));
    expect(() => crlsFromBytes(new TextEncoder().encode('not a crl'), 'x')).toThrow(expect.objectContaining({ code: 'ERR_CRL_FORMAT' }));
  });

  it('a CRL over the size limit is refused before parsing', () => {
    const huge = new Uint8Array(MAX_CRL_BYTES + 1);
    huge[0] = 0x30;
    expect(() => readCrl(huge)).toThrow(expect.objectContaining({ code: 'ERR_CRL_FORMAT', message: expect.stringMatching(/more than/) }));
  });
});

describe('hapki verify --crl', () => {
  it('exits 1 with ERR_REVOKED for a revoked leaf (PEM CRL), 0 for a good one (DER CRL)', async () => {
    const revoked = await hapki(['verify', p('bad.pem'), '--trust', p('root.pem'), '--crl', p('root.crl')]);
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toMatch(ONE_LINE_ERROR('ERR_REVOKED'));
    const good = await hapki(['verify', p('good.pem'), '--trust', p('root.pem'), '--crl', p('root.crl.der'), '--crl-required']);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('revocation: CN=good: good');
  });

  it('reports an undetermined status, and fails it with --crl-required; a broken CRL file is ERR_CRL_FORMAT', async () => {
    const reported = await hapki(['verify', p('good.pem'), '--trust', p('root.pem'), '--crl', p('other.crl')]);
    expect(reported.code).toBe(0);
    expect(reported.stdout).toContain('revocation: CN=good: undetermined');
    const required = await hapki(['verify', p('good.pem'), '--trust', p('root.pem'), '--crl', p('other.crl'), '--crl-required']);
    expect(required.stderr).toMatch(ONE_LINE_ERROR('ERR_REVOCATION_UNKNOWN'));
    writeFileSync(p('broken.crl'), '-----BEGIN X509 CRL-----\nMAMCAQE=\n-----END X509 CRL-----\n');
    const broken = await hapki(['verify', p('good.pem'), '--trust', p('root.pem'), '--crl', p('broken.crl')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(ONE_LINE_ERROR('ERR_CRL_FORMAT'));
  });
});
