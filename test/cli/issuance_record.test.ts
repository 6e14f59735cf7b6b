import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';

// every certificate a CA signs reaches its issuance record, whichever command signed it
const dir = tempDir('hapki-record-');
const env = { CAPASS: 'ca-secret', SUBPASS: 'sub-secret', TOKENPASS: 'token-secret' };
const at = (f: string): string => join(dir, f);
const CA = ['--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS'];

interface Issued { serial: string; subject: string; profile: string; by: string; sha256: string }
const issued = async (ca: string): Promise<Issued[]> => {
  const listed = await hapki(['ca', 'issued', '--ca', ca, '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as Issued[];
};
const serialOf = (stdout: string): string => (JSON.parse(stdout) as { certificate: { serial: string } }).certificate.serial.toLowerCase().replace(/:/g, '').replace(/^0+(?=.)/, '');

beforeAll(async () => {
  const init = await hapki(['ca', 'init', '--subject', 'CN=Record Root,O=Example', '--kty', 'ec', '--path-len', '1', '--out', at('ca.p12'), '--outpass', 'env:CAPASS'], { env });
  expect(init.code, init.stderr).toBe(0);
  // the CA's URLs go into what it makes itself (sub-CA, token) as into what sign issues
  const set = await hapki(['ca', 'set', '--ca', at('ca.p12'), '--crl-url', 'http://pki.example.com/ca.crl', '--aia-url', 'http://pki.example.com/ca.cer']);
  expect(set.code, set.stderr).toBe(0);
});
const URLS = /URI:http:\/\/pki\.example\.com\/ca\.crl[\s\S]*CA Issuers - URI:http:\/\/pki\.example\.com\/ca\.cer/;
const extensionsOf = async (pem: string): Promise<string> => (await openssl(['x509', '-noout', '-ext', 'crlDistributionPoints,authorityInfoAccess'], pem)).stdout;

describe('the issuance record holds every certificate the CA signs', () => {
  it('ca init --ca: the sub-CA is recorded by its issuer (profile ca, by "ca init"); a root made alone records nothing', async () => {
    expect(await issued(at('ca.p12'))).toEqual([]);
    const sub = await hapki(['ca', 'init', '--subject', 'CN=Record Sub CA,O=Example', '--kty', 'ec', ...CA, '--path-len', '0', '--out', at('sub.p12'), '--outpass', 'env:SUBPASS', '--cert-out', at('sub.pem'), '--json'], { env });
    expect(sub.code, sub.stderr).toBe(0);
    const record = await issued(at('ca.p12'));
    expect(record).toEqual([expect.objectContaining({ serial: serialOf(sub.stdout), subject: 'CN=Record Sub CA, O=Example', profile: 'ca', by: 'ca init', sha256: (JSON.parse(sub.stdout) as { certificate: { sha256: string } }).certificate.sha256 })]);
    expect(await extensionsOf(readFileSync(at('sub.pem'), 'utf8'))).toMatch(URLS);
    // refused output: nothing signed, nothing recorded
    const again = await hapki(['ca', 'init', '--subject', 'CN=Other Sub CA', '--kty', 'ec', ...CA, '--out', at('sub.p12'), '--outpass', 'env:SUBPASS'], { env });
    expect(again.stderr).toContain('ERR_FILE_EXISTS');
    expect(await issued(at('ca.p12'))).toHaveLength(1);
  });

  it('token issue --ca: the token certificate is recorded (profile token, by "token issue")', async () => {
    const before = (await issued(at('ca.p12'))).length;
    const token = await hapki(['token', 'issue', ...CA, '--subject', 'CN=msas-token,O=Example', '--kty', 'ec', '--out', at('token.p12'), '--outpass', 'env:TOKENPASS', '--json'], { env });
    expect(token.code, token.stderr).toBe(0);
    const record = await issued(at('ca.p12'));
    expect(record).toHaveLength(before + 1);
    expect(record.at(-1)).toMatchObject({ serial: serialOf(token.stdout), subject: 'CN=msas-token, O=Example', profile: 'token', by: 'token issue' });
    const pem = (await openssl(['pkcs12', '-in', at('token.p12'), '-nokeys', '-clcerts', '-passin', 'pass:token-secret'])).stdout;
    expect(await extensionsOf(pem)).toMatch(URLS);
    // a self-signed token is no CA's: no record is touched
    expect((await hapki(['token', 'issue', '--self-signed', '--subject', 'CN=self-token', '--kty', 'ec', '--out', at('self.p12'), '--outpass', 'env:TOKENPASS'], { env })).code).toBe(0);
    expect(await issued(at('ca.p12'))).toHaveLength(before + 1);
  });
});

describe('a certificate and its line in the issuance record are written together', () => {
  // a kill at each step of the write, then recover: the certificate's file exists exactly when the
  // record lists it (the record used to be its own change set, committed first: a kill after it
  // left a line for a certificate no file held)
  const STEPS = ['staged', 'journaled', 'renamed-1', 'committed'];
  const recorded = async (ca: string): Promise<string[]> => (await issued(ca)).map((r) => r.sha256.toLowerCase().replace(/:/g, ''));
  const fingerprintOf = async (file: string, pkcs12Pass?: string): Promise<string> => {
    const pem = pkcs12Pass === undefined ? readFileSync(file, 'utf8') : (await openssl(['pkcs12', '-in', file, '-nokeys', '-clcerts', '-passin', `pass:${pkcs12Pass}`])).stdout;
    return (await openssl(['x509', '-noout', '-fingerprint', '-sha256'], pem)).stdout.replace(/^.*=/, '').trim().toLowerCase().replace(/:/g, '');
  };
  const cases: { name: string; args: (out: string) => string[]; pass?: string }[] = [
    { name: 'sign', args: (out) => ['sign', at('kill.csr'), ...CA, '--allow-any-name', '--out', out] },
    { name: 'token issue --ca', args: (out) => ['token', 'issue', ...CA, '--subject', 'CN=kill-token', '--kty', 'ec', '--out', out, '--outpass', 'env:TOKENPASS'], pass: 'token-secret' },
    { name: 'ca init --ca', args: (out) => ['ca', 'init', '--subject', 'CN=Kill Sub CA', '--kty', 'ec', ...CA, '--out', out, '--outpass', 'env:SUBPASS'], pass: 'sub-secret' },
  ];

  beforeAll(async () => {
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('kill.key'), '-subj', '/CN=kill.example.com', '-out', at('kill.csr')]);
  });

  for (const c of cases) {
    it(`${c.name}: killed at ${STEPS.join(', ')}, then recovered`, async () => {
      for (const step of STEPS) {
        const out = at(`kill-${c.name.replace(/\W+/g, '-')}-${step}.${c.pass === undefined ? 'pem' : 'p12'}`);
        const before = await recorded(at('ca.p12'));
        const killed = await hapki(c.args(out), { env: { ...env, HAPKI_TEST_CRASH_AT: step } });
        expect(killed.code, `${step}: ${killed.stderr}`).toBe(-1);
        const recovered = await hapki(['recover', dir]);
        expect(recovered.code, recovered.stderr).toBe(0);
        const added = (await recorded(at('ca.p12'))).filter((f) => !before.includes(f));
        let written: string | undefined;
        try {
          written = await fingerprintOf(out, c.pass);
        } catch {
          written = undefined;
        }
        expect(added, `${c.name} killed at ${step}`).toEqual(written === undefined ? [] : [written]);
      }
    }, 60_000);
  }
});

describe('concurrent runs against one CA', () => {
  // ten `hapki sign` processes at once, then ten `revoke`s at once: every line whole, none lost,
  // serials distinct, and each certificate written is the one its line names
  it('10 signs and 10 revokes at once: 10 whole lines each, distinct positive serials of at most 20 octets', async () => {
    const N = 10;
    const record = at('ca.p12.issued.jsonl');
    const before = readFileSync(record, 'utf8').split('\n').filter((l) => l !== '').length;
    await Promise.all(Array.from({ length: N }, (_, i) => openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at(`par${i}.key`), '-subj', `/CN=par${i}.example.com`, '-out', at(`par${i}.csr`)])));
    const signed = await Promise.all(Array.from({ length: N }, (_, i) => hapki(['sign', at(`par${i}.csr`), ...CA, '--allow-any-name', '--json', '--out', at(`par${i}.pem`)], { env })));
    for (const r of signed) expect(r.code, r.stderr).toBe(0);
    const serials = signed.map((r) => serialOf(r.stdout));
    expect(new Set(serials).size).toBe(N);
    for (const s of serials) {
      expect(s).toMatch(/^[0-9a-f]+$/);
      // DER INTEGER content: positive, so a leading 00 when the top bit is set; at most 20 octets
      const octets = Math.ceil(s.length / 2) + (parseInt(s.padStart(Math.ceil(s.length / 2) * 2, '0').slice(0, 1), 16) >= 8 ? 1 : 0);
      expect(octets).toBeLessThanOrEqual(20);
    }
    const lines = readFileSync(record, 'utf8').split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(before + N);
    const parsed = lines.map((l) => JSON.parse(l) as { type: string; serial: string; sha256: string });
    const fresh = parsed.slice(before);
    expect(fresh.map((l) => l.serial).sort()).toEqual([...serials].sort());
    for (let i = 0; i < N; i++) {
      const fp = (await openssl(['x509', '-in', at(`par${i}.pem`), '-noout', '-fingerprint', '-sha256'])).stdout.replace(/^.*=/, '').trim().toLowerCase().replace(/:/g, '');
      expect(fresh.find((l) => l.serial === serials[i])!.sha256).toBe(fp);
    }
    const revoked = await Promise.all(serials.map((s) => hapki(['revoke', '--ca', at('ca.p12'), '--serial', s, '--reason', 'superseded'])));
    for (const r of revoked) expect(r.code, r.stderr).toBe(0);
    const after = readFileSync(record, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; serial: string });
    expect(after).toHaveLength(before + 2 * N);
    expect(after.filter((l) => l.type === 'revoked').map((l) => l.serial).sort()).toEqual(expect.arrayContaining([...serials].sort()));
  }, 180_000);

  // regression: the record was read before its lock was taken, so revokes of one serial at once each added a line
  it('6 revokes of one serial at once: one revoked line, every run says revoked with the same time', async () => {
    const record = at('ca.p12.issued.jsonl');
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', at('once.key'), '-subj', '/CN=once.example.com', '-out', at('once.csr')]);
    const signed = await hapki(['sign', at('once.csr'), ...CA, '--allow-any-name', '--json', '--out', at('once.pem')], { env });
    expect(signed.code, signed.stderr).toBe(0);
    const serial = serialOf(signed.stdout);
    const runs = await Promise.all(Array.from({ length: 6 }, () => hapki(['revoke', '--ca', at('ca.p12'), '--serial', serial, '--reason', 'keyCompromise', '--json'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(new Set(runs.map((r) => (JSON.parse(r.stdout) as { revoked: { at: string } }).revoked.at)).size).toBe(1);
    const lines = readFileSync(record, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; serial: string });
    expect(lines.filter((l) => l.type === 'revoked' && l.serial === serial)).toHaveLength(1);
  }, 120_000);
});
