import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditJson } from '../../src/audit/report/json.js';
import { hapki } from '../helpers/cli.js';
import { keytool, openssl, tempDir, tool } from '../helpers/tools.js';

/**
 * Certificates made by openssl and keytool, in every format hapki reads, that expired or expire
 * in 3, 20 and 400 days, and a TLS endpoint whose certificate expires in 3 days.
 */
const dir = tempDir('hapki-audit-interop-');
const certs = join(dir, 'certs');
const keys = join(dir, 'keys');
const PW = 'changeit';
let server: Server;
let endpoint: string;

async function selfSigned(name: string, days: number, extra: string[] = [], subject = `/CN=${name}`): Promise<{ key: string; pem: string }> {
  const key = join(keys, `${name}.key`);
  const pem = join(keys, `${name}.pem`);
  const keyArgs = extra.includes('-newkey') ? [] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  await openssl(['req', '-x509', ...keyArgs, ...extra, '-nodes', '-keyout', key, '-out', pem, '-days', String(days), '-subj', subject]);
  return { key, pem };
}

async function genkeypair(store: string, type: 'JKS' | 'JCEKS', alias: string, validity: string[]): Promise<void> {
  await keytool(['-genkeypair', '-keystore', store, '-storetype', type, '-storepass', PW, '-keypass', PW, '-alias', alias, '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', `CN=${alias}`, ...validity]);
}

beforeAll(async () => {
  for (const d of ['pem', 'der', 'p12', 'jks', 'jceks', 'with space']) mkdirSync(join(certs, d), { recursive: true });
  mkdirSync(keys);
  // PEM: expires in 3 days; RSA 1024 signed with SHA-1 (weak key, weak signature)
  const three = await selfSigned('three-pem', 3);
  await openssl(['x509', '-in', three.pem, '-out', join(certs, 'pem', 'three.pem')]);
  const weak = await selfSigned('weak-pem', 400, ['-newkey', 'rsa:1024', '-sha1']);
  await openssl(['x509', '-in', weak.pem, '-out', join(certs, 'pem', 'weak.crt')]);
  // DER: 400 days; a subject with a quote and a backslash, in a directory with a space
  const long = await selfSigned('fourhundred', 400);
  await openssl(['x509', '-in', long.pem, '-outform', 'DER', '-out', join(certs, 'der', 'fourhundred.der')]);
  const odd = await selfSigned('odd', 400, [], '/CN=odd "quoted" back\\\\slash');
  await openssl(['x509', '-in', odd.pem, '-outform', 'DER', '-out', join(certs, 'with space', 'odd.cer')]);
  // PKCS#12 under a name that says nothing: 20 days
  const twenty = await selfSigned('twenty-p12', 20);
  await openssl(['pkcs12', '-export', '-in', twenty.pem, '-inkey', twenty.key, '-name', 'twenty', '-passout', `pass:${PW}`, '-out', join(certs, 'p12', 'twenty.store')]);
  // JKS: expired five days ago, and the 400-day certificate as a trusted entry
  const jks = join(certs, 'jks', 'gateway.jks');
  await genkeypair(jks, 'JKS', 'expired-jks', ['-startdate', '-10d', '-validity', '5']);
  await keytool(['-importcert', '-noprompt', '-keystore', jks, '-storetype', 'JKS', '-storepass', PW, '-alias', 'fourhundred', '-file', join(certs, 'der', 'fourhundred.der')]);
  // JCEKS: 3 and 20 days
  const jceks = join(certs, 'jceks', 'gateway.jceks');
  await genkeypair(jceks, 'JCEKS', 'three-jceks', ['-validity', '3']);
  await genkeypair(jceks, 'JCEKS', 'twenty-jceks', ['-validity', '20']);
  // the endpoint: a certificate expiring in 3 days
  const tls = await selfSigned('three-endpoint', 3);
  server = createServer({ key: readFileSync(tls.key), cert: readFileSync(tls.pem) }, (s) => s.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const bySubject = (json: AuditJson): Record<string, [string, string[], string]> =>
  Object.fromEntries(json.certificates.map((c) => [`${c.subject} ${c.location.source.slice(certs.length + 1) || c.location.source}`, [c.status, c.checks, c.location.format ?? c.location.kind]]));

describe('hapki audit over openssl and keytool files', () => {
  it('reports every certificate in every format and the endpoint with its severity, and exits 2', async () => {
    const r = await hapki(['audit', certs, '--endpoint', endpoint, '--timeout', '30s', '--storepass', 'env:PW', '--format', 'json'], { env: { PW } });
    expect(r.code, r.stderr).toBe(2);
    const json = JSON.parse(r.stdout) as AuditJson;
    expect(json).toMatchObject({ version: 1, status: 'CRITICAL', exitCode: 2 });
    expect(bySubject(json)).toEqual({
      'CN=expired-jks jks/gateway.jks': ['CRITICAL', ['expired'], 'JKS'],
      'CN=three-pem pem/three.pem': ['CRITICAL', ['expires-critical'], 'PEM'],
      'CN=three-jceks jceks/gateway.jceks': ['CRITICAL', ['expires-critical'], 'JCEKS'],
      [`CN=three-endpoint ${endpoint}`]: ['CRITICAL', ['expires-critical'], 'endpoint'],
      'CN=twenty-p12 p12/twenty.store': ['WARNING', ['expires-warning'], 'PKCS12'],
      'CN=twenty-jceks jceks/gateway.jceks': ['WARNING', ['expires-warning'], 'JCEKS'],
      'CN=weak-pem pem/weak.crt': ['WARNING', ['weak-key', 'weak-signature'], 'PEM'],
      'CN=fourhundred der/fourhundred.der': ['OK', [], 'DER'],
      'CN=fourhundred jks/gateway.jks': ['OK', [], 'JKS'],
      'CN=odd \\"quoted\\" back\\\\slash with space/odd.cer': ['OK', [], 'DER'],
    });
    expect(json.certificates[0]).toMatchObject({ subject: 'CN=expired-jks', daysLeft: -6, location: { kind: 'file', alias: 'expired-jks', entryType: 'private-key', position: 0 } });
    expect(json.findings.find((f) => f.check === 'weak-key')?.message).toBe('RSA key of 1024 bits (at least 2048 expected)');
    expect(json.findings.find((f) => f.check === 'weak-signature')?.message).toBe('signed with sha1WithRSAEncryption');
    expect(json.summary).toEqual({ certificates: 10, critical: 4, warning: 4, unknown: 0, info: 0, ignored: 0 });
  });

  it('prints a table sorted by days left and the summary line', async () => {
    const r = await hapki(['audit', certs, '--endpoint', endpoint, '--timeout', '30s', '--storepass', 'env:PW'], { env: { PW } });
    expect(r.code).toBe(2);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^STATUS +DAYS +NOT AFTER +LOCATION +SUBJECT +ISSUER +SAN +SHA-256$/);
    expect(lines[1]).toMatch(/^CRITICAL +-6 +\S+Z +\S+gateway\.jks#expired-jks\[0\] +CN=expired-jks +CN=expired-jks +- +[0-9a-f]{64}$/);
    const days = lines.slice(1, 11).map((l) => Number(l.split(/ +/)[1]));
    expect(days).toEqual([...days].sort((a, b) => a - b));
    expect(r.stdout).toMatch(/\n {2}CRITICAL expired +\S+#expired-jks\[0\]: expired 5 days ago \(/);
    expect(r.stdout.endsWith('\nhapki audit: CRITICAL - 10 certificates, 4 critical, 4 warnings, 0 unknown\n')).toBe(true);
  });

  it('--warn 2d --crit 1d over the 20- and 400-day certificates exits 0', async () => {
    const r = await hapki(['audit', join(certs, 'p12', 'twenty.store'), join(certs, 'der'), '--warn', '2d', '--crit', '1d', '--storepass', 'env:PW'], { env: { PW } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.endsWith('hapki audit: OK - 2 certificates, 0 critical, 0 warnings, 0 unknown\n')).toBe(true);
  });

  it('the Prometheus output passes promtool check metrics', async () => {
    const r = await hapki(['audit', certs, '--endpoint', endpoint, '--timeout', '30s', '--storepass', 'env:PW', '--format', 'prometheus'], { env: { PW } });
    expect(r.code).toBe(2);
    const check = await tool('promtool', ['check', 'metrics'], { input: r.stdout });
    expect(check.code, `${check.stdout}${check.stderr}`).toBe(0);
    expect(r.stdout).toContain('# TYPE hapki_certificate_not_after_seconds gauge\n');
    expect(r.stdout).toContain(`subject="CN=odd \\\\\\"quoted\\\\\\" back\\\\\\\\slash"`);
    expect(r.stdout).toMatch(/\nhapki_certificate_seconds_left\{path="[^"]+gateway\.jks",alias="expired-jks",position="0",subject="CN=expired-jks",serial="[0-9a-f]+",sha256="[0-9a-f]{64}"\} -4\d{5}\n/);
    expect(r.stdout).toMatch(/\nhapki_certificate_not_after_seconds\{path="[^"]+gateway\.jks",alias="expired-jks",[^}]+\} \d{10}\n/);
    expect(r.stdout).toContain('\nhapki_audit_findings{check="expires-critical",severity="CRITICAL"} 3\n');
    expect(r.stdout).toContain('\nhapki_audit_findings{check="token-drift",severity="CRITICAL"} 0\n');
    expect(r.stdout).toContain('\nhapki_audit_status 2\n');
    expect(r.stdout).toMatch(/\nhapki_audit_last_run_seconds \d{10}\n$/);
  });
});
