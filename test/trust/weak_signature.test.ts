import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCertificates } from '../../src/keystore/read_certificates.js';
import { weakSignatureName } from '../../src/audit/rules/weak_signature.js';
import { validatePath } from '../../src/trust/validate_path.js';
import { openssl, tempDir } from '../helpers/tools.js';

/** Certificates signed by openssl with SHA-1 and MD5: refused above the anchor, SHA-1 only on request. */
const dir = tempDir();
const path = (name: string): string => join(dir, name);
const cert = (name: string): Uint8Array => readCertificates(new Uint8Array(readFileSync(path(`${name}.pem`))), name)[0]!;
const EXT = '[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n[leaf]\nbasicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:gw.example.com\n';

async function leaf(name: string, digest: string, issuer: string): Promise<void> {
  await openssl(['req', '-new', '-key', path('leaf.key'), '-subj', `/CN=${name}`, '-out', path(`${name}.csr`)]);
  await openssl(['x509', '-req', '-in', path(`${name}.csr`), '-CA', path(`${issuer}.pem`), '-CAkey', path(`${issuer}.key`), `-${digest}`, '-set_serial', '7', '-days', '5', '-extfile', path('ext.cnf'), '-extensions', 'leaf', '-out', path(`${name}.pem`)]);
}

beforeAll(async () => {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path('ext.cnf'), EXT);
  for (const k of ['root', 'leaf']) await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path(`${k}.key`)]);
  // the anchor itself is SHA-1 self-signed: an anchor's own signature is never checked
  await openssl(['req', '-x509', '-new', '-key', path('root.key'), '-sha1', '-subj', '/CN=Weak Test Root', '-days', '5', '-config', path('ext.cnf'), '-extensions', 'v3', '-out', path('root.pem')]);
  await leaf('sha256', 'sha256', 'root');
  await leaf('sha1', 'sha1', 'root');
  await leaf('md5', 'md5', 'root');
}, 60_000);

describe('weak signature algorithms', () => {
  const options = (extra: object = {}) => ({ trusted: [cert('root')], hostname: 'gw.example.com', ...extra });

  it('accepts SHA-256 below a SHA-1 self-signed anchor (the anchor signature is not relied on)', async () => {
    expect(await validatePath(cert('sha256'), options())).toMatchObject({ valid: true });
  });

  it('refuses a SHA-1 signature with ERR_WEAK_SIGNATURE, and accepts it with allowSha1', async () => {
    const refused = await validatePath(cert('sha1'), options());
    expect(refused).toMatchObject({ valid: false, code: 'ERR_WEAK_SIGNATURE' });
    expect(refused.reason).toMatch(/sha1WithRSAEncryption.*--allow-sha1/);
    expect(await validatePath(cert('sha1'), options({ allowSha1: true }))).toMatchObject({ valid: true });
  });

  it('refuses MD5 even with allowSha1', async () => {
    const refused = await validatePath(cert('md5'), options({ allowSha1: true }));
    expect(refused).toMatchObject({ valid: false, code: 'ERR_WEAK_SIGNATURE' });
    expect(refused.reason).toMatch(/md5WithRSAEncryption/);
  });

  it('the audit rule names the same algorithms the validator refuses', () => {
    expect(weakSignatureName(cert('sha1'))).toBe('sha1WithRSAEncryption');
    expect(weakSignatureName(cert('md5'))).toBe('md5WithRSAEncryption');
    expect(weakSignatureName(cert('sha256'))).toBeUndefined();
  });
});
