import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { loopbackServers, OcspFront, ocspLab, startOpensslResponder } from '../helpers/ocsp_responder.js';
import { openssl, tempDir } from '../helpers/tools.js';

// audit --ocsp against a real `openssl ocsp` responder behind a loopback front server, and
// audit --crl-fetch against a node:http server on loopback serving hapki's own CA's CRL
const dir = tempDir('hapki-audit-revocation-');
const at = (f: string): string => join(dir, f);
const listen = loopbackServers();
const front = new OcspFront();
let responder = 0;

// the CRL side: hapki ca init/sign/revoke/crl with a distribution point on the loopback server
const env = { CAPASS: 'ca-secret' };
const CA = ['--ca', at('crl/ca.p12'), '--ca-storepass', 'env:CAPASS'];
let crlRequests = 0;
let crlBase = '';
const hanging: ServerResponse[] = [];

interface Finding {
  check: string;
  severity: string;
  message: string;
  code?: string;
  source?: string;
  location?: { source: string };
}
// the lab's certificates expire within 30 days: thresholds below that keep expiry out of the exit codes
const QUIET = ['--warn', '5d', '--crit', '1d'];
const findings = (stdout: string, check: string): Finding[] => (JSON.parse(stdout).findings as Finding[]).filter((f) => f.check === check);
const about = (list: Finding[], file: string): Finding[] => list.filter((f) => f.location?.source.endsWith(`/${file}`));

beforeAll(async () => {
  await front.start(listen);
  mkdirSync(at('ocsp'));
  const ca = await ocspLab(at('ocsp'), front);
  responder = await startOpensslResponder(['-index', at('ocsp/index.txt'), '-CA', ca.path('root'), '-ndays', '1', '-rsigner', ca.path('root'), '-rkey', ca.path('root', 'key')]);
  mkdirSync(at('ocsp-certs'));
  for (const name of ['root', 'good', 'revoked', 'unknown']) copyFileSync(ca.path(name), at(`ocsp-certs/${name}.pem`));

  const server = createServer((req, res) => {
    if (req.url === '/ca.crl') {
      crlRequests++;
      return res.end(readFileSync(at('crl/ca.crl')));
    }
    if (req.url === '/hang.crl') return void hanging.push(res);
    res.writeHead(404).end();
  });
  crlBase = `http://127.0.0.1:${await listen(server)}`;
  mkdirSync(at('crl'));
  mkdirSync(at('crl-certs'));
  const init = await hapki(['ca', 'init', '--subject', 'CN=Audit Fetch Root', '--kty', 'ec', '--out', at('crl/ca.p12'), '--outpass', 'env:CAPASS', '--cert-out', at('crl-certs/ca.pem')], { env });
  expect(init.code, init.stderr).toBe(0);
  const sign = async (name: string): Promise<void> => {
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`crl/${name}.key`), '-subj', `/CN=${name}.example.com`, '-out', at(`crl/${name}.csr`)]);
    const r = await hapki(['sign', at(`crl/${name}.csr`), ...CA, '--out', at(`crl-certs/${name}.pem`)], { env });
    expect(r.code, r.stderr).toBe(0);
  };
  expect((await hapki(['ca', 'set', '--ca', at('crl/ca.p12'), '--crl-url', `${crlBase}/ca.crl`, '--allow-domain', 'example.com'], { env })).code).toBe(0);
  await sign('good');
  await sign('bad');
  expect((await hapki(['ca', 'set', '--ca', at('crl/ca.p12'), '--crl-url', `${crlBase}/missing.crl`], { env })).code).toBe(0);
  await sign('lost');
  expect((await hapki(['revoke', '--ca', at('crl/ca.p12'), '--cert', at('crl-certs/bad.pem'), '--reason', 'keyCompromise'])).code).toBe(0);
  expect((await hapki(['crl', ...CA, '--out', at('crl/ca.crl')], { env })).code).toBe(0);
}, 120_000);

afterAll(() => {
  for (const res of hanging) res.destroy();
});

describe('audit --ocsp', () => {
  it('a certificate its responder says is revoked is CRITICAL with reason and time; good and unknown ones are not findings', async () => {
    front.mode = { forward: responder };
    const r = await hapki(['audit', at('ocsp-certs'), '--ocsp', ...QUIET, '--format', 'json']);
    expect(r.code, r.stderr).toBe(2);
    const revoked = findings(r.stdout, 'revoked');
    expect(revoked).toHaveLength(1);
    expect(about(revoked, 'revoked.pem')[0]).toMatchObject({ severity: 'CRITICAL', code: 'ERR_REVOKED' });
    expect(revoked[0]!.message).toMatch(/^revoked on \d{4}-\d\d-\d\dT.*\(keyCompromise\)$/);
    expect(findings(r.stdout, 'revocation-unknown')).toEqual([]);
    expect(findings(r.stdout, 'revocation-failed')).toEqual([]);
  });

  it('--ocsp-required: the certificate the responder does not know is a WARNING (revocation-unknown)', async () => {
    front.mode = { forward: responder };
    const r = await hapki(['audit', at('ocsp-certs/good.pem'), at('ocsp-certs/unknown.pem'), at('ocsp-certs/root.pem'), '--ocsp', ...QUIET, '--ocsp-required', '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const unknown = findings(r.stdout, 'revocation-unknown');
    expect(unknown).toHaveLength(1);
    expect(about(unknown, 'unknown.pem')[0]).toMatchObject({ severity: 'WARNING', code: 'ERR_REVOCATION_UNKNOWN', message: expect.stringContaining('does not know it') });
  });

  it('a responder that hangs is UNKNOWN (revocation-failed), asked once per run, and the audit ends', async () => {
    front.mode = 'hang';
    const r = await hapki(['audit', at('ocsp-certs'), '--ocsp', ...QUIET, '--fetch-timeout', '500ms', '--format', 'json']);
    expect(r.code, r.stderr).toBe(3);
    const failed = findings(r.stdout, 'revocation-failed');
    expect(failed).toHaveLength(3);
    expect(failed.every((f) => f.severity === 'UNKNOWN' && f.code === 'ERR_OCSP_FETCH')).toBe(true);
    expect(failed.filter((f) => f.message.includes('took more than 500 ms'))).toHaveLength(1);
    expect(failed.filter((f) => f.message.includes('failed earlier in this audit'))).toHaveLength(2);
  });

  it('the deadline ends the checks even when each query could wait longer', async () => {
    front.mode = 'hang';
    const r = await hapki(['audit', at('ocsp-certs/good.pem'), at('ocsp-certs/root.pem'), '--ocsp', ...QUIET, '--fetch-timeout', '1m', '--fetch-deadline', '1s', '--format', 'json']);
    expect(r.code, r.stderr).toBe(3);
    expect(findings(r.stdout, 'revocation-failed')).toMatchObject([{ code: 'ERR_OCSP_FETCH', message: expect.stringContaining('cut off by the deadline') }]);
  }, 30_000);

  it('a garbage answer is UNKNOWN with ERR_OCSP_FORMAT; nagios and prometheus carry the findings', async () => {
    front.mode = { body: new Uint8Array([0x30, 0x03, 0x0a, 0x01]) };
    const json = await hapki(['audit', at('ocsp-certs/good.pem'), at('ocsp-certs/root.pem'), '--ocsp', ...QUIET, '--format', 'json']);
    expect(findings(json.stdout, 'revocation-failed')).toMatchObject([{ severity: 'UNKNOWN', code: 'ERR_OCSP_FORMAT' }]);
    front.mode = { forward: responder };
    const nagios = await hapki(['audit', at('ocsp-certs'), '--ocsp', ...QUIET, '--format', 'nagios']);
    expect(nagios.code).toBe(2);
    expect(nagios.stdout).toMatch(/^[^\n]*CRITICAL/);
    expect(nagios.stdout).toContain('revoked');
    const prom = await hapki(['audit', at('ocsp-certs'), '--ocsp', ...QUIET, '--ocsp-required', '--format', 'prometheus']);
    expect(prom.stdout).toMatch(/hapki_audit_findings\{check="revoked",severity="CRITICAL"\} 1\n/);
    expect(prom.stdout).toMatch(/hapki_audit_findings\{check="revocation-unknown",severity="WARNING"\} 1\n/);
    expect(prom.stdout).toMatch(/hapki_audit_findings\{check="revocation-failed",severity="UNKNOWN"\} 0\n/);
  });

  it('--ocsp-required without --ocsp is a usage error: exit 3, one line', async () => {
    const r = await hapki(['audit', at('ocsp-certs'), '--ocsp-required']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^hapki: --ocsp-required needs --ocsp \(ERR_\w+\)\n$/);
  });
});

describe('audit --crl-fetch', () => {
  it('fetches each distribution point once: the revoked certificate is CRITICAL, a missing CRL is UNKNOWN, not an abort', async () => {
    crlRequests = 0;
    const r = await hapki(['audit', at('crl-certs'), '--crl-fetch', ...QUIET, '--format', 'json']);
    expect(r.code, r.stderr).toBe(2);
    expect(crlRequests).toBe(1);
    const revoked = findings(r.stdout, 'revoked');
    expect(revoked).toHaveLength(1);
    expect(about(revoked, 'bad.pem')[0]!.message).toMatch(/^revoked on .*\(keyCompromise\)$/);
    expect(findings(r.stdout, 'revocation-failed')).toMatchObject([{ severity: 'UNKNOWN', code: 'ERR_CRL_FETCH', source: `${crlBase}/missing.crl`, message: expect.stringContaining('HTTP 404') }]);
    // not asked for: the certificate behind the missing CRL is not a finding of its own
    expect(findings(r.stdout, 'revocation-unknown')).toEqual([]);
  });

  it('the configuration file asks the same: crl-fetch and crl-required make the uncovered certificate a WARNING', async () => {
    // the OCSP lab's leaf names no distribution point, and the fetched CRL is of another CA
    writeFileSync(at('audit.yaml'), 'paths: [crl-certs, ocsp-certs/good.pem, ocsp-certs/root.pem]\ncrl-fetch: true\ncrl-required: true\nfetch-timeout: 5s\nwarn: 5d\ncrit: 1d\n');
    const r = await hapki(['audit', '--config', at('audit.yaml'), '--format', 'json']);
    expect(r.code, r.stderr).toBe(2);
    expect(findings(r.stdout, 'revoked')).toHaveLength(1);
    const unknown = findings(r.stdout, 'revocation-unknown');
    expect(unknown.map((f) => f.location!.source.split('/').slice(-2).join('/'))).toEqual(['ocsp-certs/good.pem']);
    expect(unknown[0]!.message).toContain('no CRL given covers it');
  });

  it('a given CRL goes through the same checker: --crl with --crl-required, and a certificate whose issuer is not audited', async () => {
    const r = await hapki(['audit', at('crl-certs/good.pem'), at('crl-certs/bad.pem'), '--crl', at('crl/ca.crl'), '--crl-required', ...QUIET, '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    expect(findings(r.stdout, 'revoked')).toEqual([]);
    const unknown = findings(r.stdout, 'revocation-unknown');
    expect(unknown).toHaveLength(2);
    expect(unknown.every((f) => f.message === 'revocation status unknown: its issuer is not among the audited certificates')).toBe(true);
  });

  it('a CRL gone stale is not relied on for good, and says so (UNKNOWN, revocation-failed); what it lists revoked stays revoked (CRITICAL)', async () => {
    const later = new Date(Date.now() + 8 * 86_400_000).toISOString();
    const r = await hapki(['audit', at('crl-certs/ca.pem'), at('crl-certs/bad.pem'), at('crl-certs/good.pem'), '--crl', at('crl/ca.crl'), '--crl-required', '--at', later, '--warn', '1d', '--crit', '1d', '--format', 'json']);
    expect(r.code, r.stderr).toBe(2);
    expect(findings(r.stdout, 'revoked')).toMatchObject([{ severity: 'CRITICAL', message: expect.stringMatching(/on a CRL now out of date/) }]);
    expect(about(findings(r.stdout, 'revoked'), 'bad.pem')).toHaveLength(1);
    expect(findings(r.stdout, 'revocation-failed')).toMatchObject([{ severity: 'UNKNOWN', source: 'the CRL of "CN=Audit Fetch Root"', message: expect.stringMatching(/^out of date since /) }]);
    // the one it does not list is not known to be good
    expect(about(findings(r.stdout, 'revocation-unknown'), 'good.pem')).toHaveLength(1);
  });
});
