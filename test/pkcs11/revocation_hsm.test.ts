import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { softHsm, USER_PIN } from '../helpers/softhsm.js';
import { openssl, tempDir, tool } from '../helpers/tools.js';

/** revoke and crl with the CA key in SoftHSM: its record kept beside its certificate file (--ca-cert). */
const hsm = softHsm();
const dir = tempDir();
const env = { ...hsm.env, HSM_PIN: USER_PIN };
const CA = 'pkcs11:token=crl-ca;object=ca';
const hsmCa = ['--ca', CA, '--ca-cert', 'ca.pem', '--pin', 'env:HSM_PIN'];

async function ok(args: string[]) {
  const r = await hapki(args, { env, cwd: dir });
  if (r.code !== 0) throw new Error(`hapki ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

beforeAll(async () => {
  await hsm.initToken('crl-ca');
  await ok(['ca', 'init', '--subject', 'CN=HSM CRL CA', '--key', CA, '--pin', 'env:HSM_PIN', '--kty', 'ec', '--cert-out', 'ca.pem']);
  for (const name of ['bad', 'good']) {
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, `${name}.key`), '-subj', `/CN=${name}.example.com`, '-out', join(dir, `${name}.csr`)]);
    const signed = await ok(['sign', `${name}.csr`, ...hsmCa, '--allow-any-name', '--out', `${name}.pem`]);
    expect(signed.stderr).not.toContain('keeps no issuance record');
  }
});

describe('revocation with the CA key in an HSM', () => {
  it('revoke and crl: the CRL is signed in the HSM, openssl accepts it and refuses the revoked certificate only', async () => {
    expect(existsSync(join(dir, 'ca.pem.issued.jsonl'))).toBe(true);
    await ok(['revoke', '--ca', CA, '--ca-cert', 'ca.pem', '--cert', 'bad.pem', '--reason', 'keyCompromise']);
    await ok(['crl', ...hsmCa, '--out', 'ca.crl']);
    const checked = await tool('openssl', ['crl', '-inform', 'DER', '-in', join(dir, 'ca.crl'), '-CAfile', join(dir, 'ca.pem'), '-noout', '-verify']);
    expect(checked.stdout + checked.stderr).toContain('verify OK');
    await openssl(['crl', '-inform', 'DER', '-in', join(dir, 'ca.crl'), '-out', join(dir, 'ca.crl.pem')]);
    const bad = await tool('openssl', ['verify', '-crl_check', '-CAfile', join(dir, 'ca.pem'), '-CRLfile', join(dir, 'ca.crl.pem'), join(dir, 'bad.pem')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('certificate revoked');
    const good = await tool('openssl', ['verify', '-crl_check', '-CAfile', join(dir, 'ca.pem'), '-CRLfile', join(dir, 'ca.crl.pem'), join(dir, 'good.pem')]);
    expect(good.stdout).toContain('good.pem: OK');
  });

  it('ca init --ca and token issue --ca with the HSM CA and --ca-cert: both recorded beside ca.pem', async () => {
    const sub = await ok(['ca', 'init', '--subject', 'CN=HSM Sub CA', ...hsmCa, '--kty', 'ec', '--path-len', '0', '--out', 'sub.p12', '--outpass', 'pass:sub-secret', '--json']);
    const token = await ok(['token', 'issue', ...hsmCa, '--subject', 'CN=hsm-token', '--kty', 'ec', '--out', 'token.p12', '--outpass', 'pass:token-secret', '--json']);
    const sha = (r: { stdout: string }): string => (JSON.parse(r.stdout) as { certificate: { sha256: string } }).certificate.sha256;
    const issued = JSON.parse((await ok(['ca', 'issued', '--ca', CA, '--ca-cert', 'ca.pem', '--json'])).stdout) as { sha256: string; profile: string; by: string }[];
    expect(issued.find((c) => c.sha256 === sha(sub))).toMatchObject({ profile: 'ca', by: 'ca init' });
    expect(issued.find((c) => c.sha256 === sha(token))).toMatchObject({ profile: 'token', by: 'token issue' });
  });

  it('a pkcs11: CA without --ca-cert has no record: revoke says to give it', async () => {
    const r = await hapki(['revoke', '--ca', CA, '--serial', '01'], { env, cwd: dir });
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    expect(r.stderr).toContain('--ca-cert');
  });
});
