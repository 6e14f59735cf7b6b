import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditJson } from '../../src/audit/report/json.js';
import { createCa } from '../../src/issue/create_ca.js';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { issuerFromEntry } from '../../src/issue/issuer.js';
import { parseSan } from '../../src/issue/san.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { emptyKeystore, type Keystore, type KeystoreFormat, type PrivateKeyEntry } from '../../src/keystore/model.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { opensslFingerprint } from '../helpers/keys.js';
import { openssl, tempDir } from '../helpers/tools.js';

const dir = tempDir('hapki-audit-cli-');
const GOOD = 'good-secret';
const OTHER = 'other-secret';

let ca: Awaited<ReturnType<typeof createCa>>;
let weakPem: string;
let weakFp: string;

async function nodeEntry(alias: string, sans: string[]): Promise<PrivateKeyEntry> {
  const { entry, csr } = await requestWithNewKey(emptyKeystore('PKCS12'), { alias, subject: `CN=${alias}.example.com`, key: { kty: 'ec', curve: 'P-256' } });
  const signed = await signCsr(csr, await issuerFromEntry(ca.entry), { sans: sans.map(parseSan), days: 200, profile: 'server-client' });
  return { ...entry, chain: signed.chain };
}

async function save(path: string, entries: Keystore['entries'], password: string, format: KeystoreFormat = 'PKCS12'): Promise<string> {
  writeFileSync(path, await writeKeystore({ ...emptyKeystore(format), entries }, { format, password }));
  return path;
}

const trustedCa = (): Keystore['entries'][number] => ({ type: 'trusted-cert', alias: 'ca', certificate: ca.certificate });

beforeAll(async () => {
  ca = await createCa({ subject: 'CN=Audit CLI CA', key: { kty: 'ec', curve: 'P-256' } });
  mkdirSync(join(dir, 'stores', 'nodes'), { recursive: true });
  const node1 = await nodeEntry('node1', ['node1.example.com', 'lbrhost.example.com']);
  const node2 = await nodeEntry('node2', ['node2.example.com']);
  await save(join(dir, 'stores', 'nodes', 'good1.p12'), [node1, trustedCa()], GOOD);
  await save(join(dir, 'stores', 'nodes', 'bad.p12'), [node2, trustedCa()], OTHER);
  await save(join(dir, 'stores', 'plain.jks'), [trustedCa()], GOOD, 'JKS');
  mkdirSync(join(dir, 'token'));
  await save(join(dir, 'token', 'a.p12'), [{ ...node1, alias: 'token' }], GOOD);
  await save(join(dir, 'token', 'b.jks'), [{ ...node1, alias: 'token' }], GOOD, 'JKS');
  await save(join(dir, 'token', 'c.p12'), [{ ...node2, alias: 'token' }], GOOD);
  mkdirSync(join(dir, 'weak'));
  weakPem = join(dir, 'weak', 'weak.pem');
  await openssl(['req', '-x509', '-newkey', 'rsa:1024', '-sha1', '-nodes', '-keyout', join(dir, 'weak.key'), '-out', weakPem, '-days', '400', '-subj', '/CN=weak']);
  weakFp = await opensslFingerprint(weakPem);
});

function config(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('hapki audit: passwords and the configuration file', () => {
  it('glob passwords, first match wins; a wrong password is UNKNOWN (exit 3) and the rest is audited', async () => {
    const file = config('audit.yaml', ['passwords:', '  - match: "stores/**/good*.p12"', '    password: env:GOOD', '  - match: "**/*.p12"', '    password: env:OTHER_WRONG', ''].join('\n'));
    const r = await hapki(['audit', join(dir, 'stores'), '--config', file, '--format', 'json'], { env: { GOOD, OTHER_WRONG: 'not-it' } });
    expect(r.code, r.stderr).toBe(3);
    const json = JSON.parse(r.stdout) as AuditJson;
    expect(json.status).toBe('UNKNOWN');
    expect(json.findings.map((f) => [f.severity, f.check, f.code, f.source?.slice(dir.length)])).toEqual([
      ['UNKNOWN', 'unreadable', 'ERR_KEYSTORE_PASSWORD', '/stores/nodes/bad.p12'],
      ['OK', 'integrity-unchecked', undefined, '/stores/plain.jks'],
    ]);
    expect(json.certificates.map((c) => `${c.location.source.slice(dir.length)}#${c.location.alias}[${c.location.position}]`).sort()).toEqual([
      '/stores/nodes/good1.p12#ca[0]',
      '/stores/nodes/good1.p12#node1[0]',
      '/stores/nodes/good1.p12#node1[1]',
      '/stores/plain.jks#ca[0]',
    ]);
    expect(json.sources.find((s) => s.source.endsWith('plain.jks'))).toMatchObject({ format: 'JKS', integrityChecked: false });
    const text = await hapki(['audit', join(dir, 'stores'), '--config', file], { env: { GOOD, OTHER_WRONG: 'not-it' } });
    expect(text.code).toBe(3);
    expect(text.stdout).toContain(`  UNKNOWN  unreadable          ${join(dir, 'stores', 'nodes', 'bad.p12')}: keystore password was incorrect (ERR_KEYSTORE_PASSWORD)\n`);
    expect(text.stdout).toContain(`  OK       integrity-unchecked ${join(dir, 'stores', 'plain.jks')}: JKS store read without a password: certificates audited, integrity not checked\n`);
    expect(text.stdout.endsWith('hapki audit: UNKNOWN - 4 certificates, 0 critical, 0 warnings, 1 unknown\n')).toBe(true);
  });

  it('a missing password source is UNKNOWN for the stores it covers, not a failed run', async () => {
    const r = await hapki(['audit', join(dir, 'stores', 'nodes', 'good1.p12'), '--storepass', 'env:NOT_SET', '--format', 'json']);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as AuditJson).findings[0]).toMatchObject({ check: 'unreadable', code: 'ERR_PASSWORD_SOURCE' });
  });

  it('a configuration error: one line with the file and line number, exit 3 (UNKNOWN: the audit could not run)', async () => {
    const file = config('bad.yaml', 'warn: 30d\ncrit: 7d\npasword: env:X\n');
    const r = await hapki(['audit', dir, '--config', file]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_AUDIT_CONFIG'));
    expect(r.stderr).toContain(`${file}:3: unknown key "pasword"`);
    const typed = await hapki(['audit', dir, '--config', config('typed.yaml', 'passwords:\n  - match: 7\n    password: [env:X]\n')]);
    expect(typed.stderr).toMatch(/typed\.yaml:3: password must be a non-empty string \(ERR_AUDIT_CONFIG\)\n$/);
    const missing = await hapki(['audit', dir, '--config', join(dir, 'none.yaml')]);
    expect(missing.stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_NOT_FOUND'));
  });
});

describe('hapki audit: checks', () => {
  it('finds a node certificate without the load balancer\'s SAN and a token drift (exit 2)', async () => {
    const t = (n: string): string => join(dir, 'token', n);
    const r = await hapki(['audit', join(dir, 'stores', 'nodes', 'good1.p12'), '--expect-san', 'lbrhost.example.com', '--token-group', `token=${t('a.p12')},${t('b.jks')},${t('c.p12')}`, '--storepass', 'env:GOOD'], { env: { GOOD } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toContain(`  CRITICAL missing-san         ${t('c.p12')}#token[0]: no subjectAltName for lbrhost.example.com (it has DNS:node2.example.com)\n`);
    expect(r.stdout).toMatch(/\n {2}CRITICAL token-drift +token group token: token entry "token" differs across the group: \S+c\.p12: "token" is [0-9a-f]{16} where the majority has [0-9a-f]{16}\n/);
    const same = await hapki(['audit', '--token-group', `token=${t('a.p12')},${t('b.jks')}`, '--storepass', 'env:GOOD', '--expect-san', 'lbrhost.example.com'], { env: { GOOD } });
    expect(same.code, same.stdout + same.stderr).toBe(0);
  });

  it('--ignore by check id and by id:fingerprint, on the command line and in the configuration', async () => {
    const plain = await hapki(['audit', weakPem, '--format', 'json']);
    expect(plain.code).toBe(1);
    expect((JSON.parse(plain.stdout) as AuditJson).findings.map((f) => [f.check, f.sha256])).toEqual([
      ['weak-key', weakFp],
      ['weak-signature', weakFp],
    ]);
    expect((await hapki(['audit', weakPem, '--ignore', 'weak-key'])).code).toBe(1);
    const both = await hapki(['audit', weakPem, '--ignore', 'weak-key', '--ignore', `weak-signature:${weakFp.toUpperCase().match(/../g)!.join(':')}`]);
    expect(both.code).toBe(0);
    expect(both.stdout.endsWith('hapki audit: OK - 1 certificate, 0 critical, 0 warnings, 0 unknown, 2 ignored\n')).toBe(true);
    expect((await hapki(['audit', weakPem, '--ignore', 'weak-key', '--ignore', `weak-signature:${'0'.repeat(64)}`])).code).toBe(1);
    const file = config('ignore.yaml', `ignore:\n  - weak-key\n  - "weak-signature:${weakFp}"\n`);
    expect((await hapki(['audit', weakPem, '--config', file])).code).toBe(0);
  });

  it('usage problems are one-line errors and UNKNOWN (exit 3), never a false WARNING or CRITICAL', async () => {
    const cases: [string[], string][] = [
      [['audit'], 'ERR_INVALID_ARGUMENT'],
      [['audit', dir, '--format', 'xml'], 'ERR_INVALID_ARGUMENT'],
      [['audit', dir, '--warn', 'soon'], 'ERR_INVALID_ARGUMENT'],
      [['audit', dir, '--warn', '1d', '--crit', '2d'], 'ERR_INVALID_ARGUMENT'],
      [['audit', dir, '--ignore', 'expird'], 'ERR_INVALID_ARGUMENT'],
      [['audit', dir, '--token-group', 'token=a.p12'], 'ERR_INVALID_ARGUMENT'],
      [['audit', dir, '--at', 'yesterday'], 'ERR_USAGE'],
      [['audit', dir, '--at', '1'], 'ERR_USAGE'],
      [['audit', dir, '--no-such-option'], 'commander'],
    ];
    for (const [args, code] of cases) {
      const r = await hapki(args);
      expect(r.code, args.join(' ')).toBe(3);
      if (code === 'commander') continue;
      expect(r.stderr, args.join(' ')).toMatch(ONE_LINE_ERROR(code));
    }
  });

  it('help ends with examples and the monitoring exit codes', async () => {
    const r = await hapki(['audit', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n {2}hapki audit /);
    expect(r.stdout).toContain('0  OK        1  WARNING        2  CRITICAL        3  UNKNOWN');
    expect((await hapki(['audit', dir, '--warn', '5d', '--storepass', 'pass:x'])).stderr).not.toMatch(/--crit must not exceed/);
  });
});
