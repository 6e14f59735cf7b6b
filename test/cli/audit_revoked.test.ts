import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';

// audit --crl end to end with hapki's own CA commands: ca init, sign, revoke, crl
const dir = tempDir('hapki-audit-crl-');
const env = { CAPASS: 'ca-secret' };
const at = (f: string): string => join(dir, f);
const CA = ['--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS'];

async function sign(name: string): Promise<void> {
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`${name}.key`), '-subj', `/CN=${name}.example.com`, '-out', at(`${name}.csr`)]);
  const r = await hapki(['sign', at(`${name}.csr`), ...CA, '--out', at(`certs/${name}.pem`)], { env });
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(async () => {
  mkdirSync(at('certs'));
  const init = await hapki(['ca', 'init', '--subject', 'CN=Audit Root,O=Example', '--kty', 'ec', '--out', at('ca.p12'), '--outpass', 'env:CAPASS', '--cert-out', at('certs/ca.pem')], { env });
  expect(init.code, init.stderr).toBe(0);
  await sign('good');
  await sign('bad');
  const revoked = await hapki(['revoke', '--ca', at('ca.p12'), '--cert', at('certs/bad.pem'), '--reason', 'keyCompromise']);
  expect(revoked.code, revoked.stderr).toBe(0);
  const crl = await hapki(['crl', ...CA, '--out', at('ca.crl'), '--days', '7'], { env });
  expect(crl.code, crl.stderr).toBe(0);
  // another CA with the same name revokes the same serial (openssl ca): its CRL's signature does not verify against the real issuer
  const serial = JSON.parse((await hapki(['ca', 'issued', '--ca', at('ca.p12'), '--json'])).stdout)[1].serial as string;
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('other.key'), '-subj', '/CN=Audit Root/O=Example', '-days', '30', '-out', at('other.pem')]);
  const hex = serial.toUpperCase().padStart(serial.length + (serial.length % 2), '0');
  writeFileSync(at('index.txt'), `R\t301231000000Z\t240101000000Z,keyCompromise\t${hex}\tunknown\t/CN=bad.example.com\n`);
  writeFileSync(at('crlnumber'), '01\n');
  writeFileSync(at('other.cnf'), `[ca]\ndefault_ca=x\n[x]\ndatabase=${at('index.txt')}\ncrlnumber=${at('crlnumber')}\ndefault_md=sha256\ndefault_crl_days=7\ncertificate=${at('other.pem')}\nprivate_key=${at('other.key')}\n`);
  await openssl(['ca', '-config', at('other.cnf'), '-gencrl', '-out', at('other.crl')]);
  expect((await openssl(['crl', '-in', at('other.crl'), '-noout', '-text'])).stdout).toContain(`Serial Number: ${hex}`);
  writeFileSync(at('garbage.crl'), Buffer.from([0x30, 0x82, 0x01, 0x00, 0x02]));
});

describe('audit --crl', () => {
  it('a certificate revoked by its issuer\'s CRL is CRITICAL (revoked) in JSON, and only that one', async () => {
    const r = await hapki(['audit', at('certs'), '--crl', at('ca.crl'), '--format', 'json']);
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout);
    const revoked = report.findings.filter((f: { check: string }) => f.check === 'revoked');
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ severity: 'CRITICAL', location: { source: at('certs/bad.pem') } });
    expect(revoked[0].message).toMatch(/revoked on .*\(keyCompromise\)/);
  });

  it('without --crl, or with a same-named CA\'s CRL, nothing is revoked', async () => {
    for (const extra of [[], ['--crl', at('other.crl')]]) {
      const r = await hapki(['audit', at('certs'), ...extra, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).findings.filter((f: { check: string }) => f.check === 'revoked')).toEqual([]);
    }
  });

  it('text, nagios and prometheus report it; the config file\'s crl: works like --crl', async () => {
    const text = await hapki(['audit', at('certs'), '--crl', at('ca.crl')]);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/CRITICAL[^\n]*revoked/);
    const nagios = await hapki(['audit', at('certs'), '--crl', at('ca.crl'), '--format', 'nagios']);
    expect(nagios.code).toBe(2);
    expect(nagios.stdout).toMatch(/^[^\n]*CRITICAL/);
    expect(nagios.stdout).toContain('revoked');
    const prom = await hapki(['audit', at('certs'), '--crl', at('ca.crl'), '--format', 'prometheus']);
    expect(prom.stdout).toMatch(/hapki_audit_findings\{check="revoked",severity="CRITICAL"\} 1/);
    writeFileSync(at('audit.yaml'), 'paths: [certs]\ncrl: ca.crl\n');
    const configured = await hapki(['audit', '--config', at('audit.yaml'), '--format', 'json']);
    expect(configured.code, configured.stderr).toBe(2);
    expect(JSON.parse(configured.stdout).findings.some((f: { check: string }) => f.check === 'revoked')).toBe(true);
  });

  it('a malformed CRL is a failed audit: exit 3, ERR_CRL_FORMAT, one line', async () => {
    const r = await hapki(['audit', at('certs'), '--crl', at('garbage.crl')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_CRL_FORMAT'));
  });
});
