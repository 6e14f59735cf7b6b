import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAudit, type AuditReport } from '../../src/audit/run_audit.js';
import { passwordLookup } from '../../src/audit/passwords.js';
import { createCa } from '../../src/issue/create_ca.js';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { issuerFromEntry } from '../../src/issue/issuer.js';
import { parseSan } from '../../src/issue/san.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { emptyKeystore, type Keystore, type KeystoreFormat, type PrivateKeyEntry } from '../../src/keystore/model.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { sha256Hex } from '../../src/crypto/digest.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir('hapki-audit-lib-');
const DAY = 86_400_000;
const PASSWORD = 'changeit';

/** A node key entry signed by `ca`, with these SANs, valid for `days`. */
async function nodeEntry(ca: Awaited<ReturnType<typeof createCa>>, alias: string, sans: string[], days = 200): Promise<PrivateKeyEntry> {
  const { entry, csr } = await requestWithNewKey(emptyKeystore('PKCS12'), { alias, subject: `CN=${alias}.example.com`, key: { kty: 'ec', curve: 'P-256' } });
  const signed = await signCsr(csr, await issuerFromEntry(ca.entry), { sans: sans.map(parseSan), days, profile: 'server-client' });
  return { ...entry, chain: signed.chain };
}

async function save(name: string, store: Keystore, format: KeystoreFormat = 'PKCS12', password = PASSWORD): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, await writeKeystore({ ...store, format }, { format, password }));
  return path;
}

const store = (...entries: Keystore['entries']): Keystore => ({ ...emptyKeystore('PKCS12'), entries });
const trusted = (alias: string, certificate: Uint8Array): Keystore['entries'][number] => ({ type: 'trusted-cert', alias, certificate });
const everyone = passwordLookup([], `env:PW`, async () => PASSWORD);
const checksOf = (report: AuditReport): string[] => report.findings.map((f) => `${f.severity} ${f.check}`);

let ca: Awaited<ReturnType<typeof createCa>>;
let node1: PrivateKeyEntry;
let node2: PrivateKeyEntry;

beforeAll(async () => {
  ca = await createCa({ subject: 'CN=Audit Test CA', key: { kty: 'ec', curve: 'P-256' } });
  node1 = await nodeEntry(ca, 'node1', ['node1.example.com', 'lbrhost.example.com']);
  node2 = await nodeEntry(ca, 'node2', ['node2.example.com']);
});

describe('runAudit', () => {
  it('an audit that finds nothing is UNKNOWN (nothing-found), not OK: an empty directory, or one of files that are no keystore', async () => {
    const empty = join(dir, 'empty-tree');
    mkdirSync(join(empty, 'sub'), { recursive: true });
    writeFileSync(join(empty, 'sub', 'README.txt'), 'keystores go here\n');
    const report = await runAudit({ paths: [empty] });
    expect(report.status).toBe('UNKNOWN');
    expect(report.exitCode).toBe(3);
    expect(report.findings.map((f) => f.check)).toEqual(['nothing-found']);
    // a source that could not be read says so itself: no second finding
    const missing = await runAudit({ paths: [join(dir, 'no-such-dir')] });
    expect(missing.findings.map((f) => f.check)).toEqual(['unreadable']);
    expect((await runAudit({ paths: [empty], ignore: ['nothing-found'] })).exitCode).toBe(0);
    // a keystore read is something audited, even without a certificate (an empty trust store)
    const bare = await save('empty-tree/sub/empty-trust.p12', store());
    const one = await runAudit({ paths: [empty], passwordFor: everyone });
    expect(one.sources.map((s) => s.source)).toEqual([bare]);
    expect(one.findings).toEqual([]);
    expect(one.exitCode).toBe(0);
  });

  it('finds a node certificate without the load balancer\'s name (missing-san, CRITICAL)', async () => {
    const a = await save('san1.p12', store(node1, trusted('ca', ca.certificate)));
    const b = await save('san2.p12', store(node2, trusted('ca', ca.certificate)));
    const report = await runAudit({ paths: [a, b], expectSan: ['lbrhost.example.com'], passwordFor: everyone });
    expect(checksOf(report)).toEqual(['CRITICAL missing-san']);
    expect(report.findings[0]).toMatchObject({ location: { source: b, alias: 'node2', position: 0 }, message: 'no subjectAltName for lbrhost.example.com (it has DNS:node2.example.com)' });
    expect(report.exitCode).toBe(2);
    // the CA's own certificate (a trusted entry, and position 1 of the chains) is no node certificate
    expect(report.certificates).toHaveLength(6);
  });

  it('finds token drift across a --token-group, and none when every store agrees', async () => {
    const token = { ...node1, alias: 'token' };
    const other = { ...node2, alias: 'token' };
    const a = await save('tok-a.p12', store(token));
    const b = await save('tok-b.jks', store(token), 'JKS');
    const c = await save('tok-c.p12', store(other));
    const same = await runAudit({ tokenGroups: [{ alias: 'token', stores: [a, b] }], passwordFor: everyone });
    expect(checksOf(same)).toEqual([]);
    const drift = await runAudit({ tokenGroups: [{ alias: 'token', stores: [a, b, c] }], passwordFor: everyone });
    expect(checksOf(drift)).toEqual(['CRITICAL token-drift']);
    expect(drift.findings[0]!.message).toContain(`${c}: "token" is ${sha256Hex(other.chain[0]!).slice(0, 16)} where the majority has ${sha256Hex(token.chain[0]!).slice(0, 16)}`);
    expect(drift.findings[0]!.source).toBe('token group token');
  });

  it('a wrong password is UNKNOWN (exit 3) and the other stores are still audited', async () => {
    const good = await save('good.p12', store(node1, trusted('ca', ca.certificate)));
    const bad = await save('bad.p12', store(node2), 'PKCS12', 'other-password');
    const report = await runAudit({ paths: [good, bad], passwordFor: everyone });
    expect(checksOf(report)).toEqual(['UNKNOWN unreadable']);
    expect(report.findings[0]).toMatchObject({ source: bad, code: 'ERR_KEYSTORE_PASSWORD' });
    expect(report.status).toBe('UNKNOWN');
    expect(report.exitCode).toBe(3);
    expect(report.certificates.map((c) => c.location.source)).toEqual([good, good, good]);
    // anything worse wins over UNKNOWN
    const worse = await runAudit({ paths: [good, bad], passwordFor: everyone, expectSan: ['nowhere.example.com'] });
    expect(worse.exitCode).toBe(2);
  });

  it('a wrong password for a JKS still audits its certificates (an expired one is CRITICAL), and says the password is wrong', async () => {
    const jks = await save('stale-pass.jks', store(node1, trusted('ca', ca.certificate)), 'JKS', 'rotated-password');
    const report = await runAudit({ paths: [jks], passwordFor: everyone, at: new Date('2099-01-01T00:00:00Z') });
    expect(report.certificates.length).toBeGreaterThan(0);
    expect(report.findings.filter((f) => f.check === 'unreadable')).toEqual([expect.objectContaining({ source: jks, code: 'ERR_KEYSTORE_PASSWORD' })]);
    expect(report.findings.map((f) => f.check)).toContain('expired');
    expect(report.exitCode).toBe(2);
  });

  it('no password for a PKCS#12 store: ERR_PASSWORD_REQUIRED; JKS without one: read, integrity-unchecked (OK)', async () => {
    const p12 = await save('nopass.p12', store(node1));
    const jks = await save('nopass.jks', store(node1, trusted('ca', ca.certificate)), 'JKS');
    const report = await runAudit({ paths: [p12, jks] });
    expect(report.findings.map((f) => [f.severity, f.check, f.code, f.source])).toEqual([
      ['UNKNOWN', 'unreadable', 'ERR_PASSWORD_REQUIRED', p12],
      ['OK', 'integrity-unchecked', undefined, jks],
    ]);
    expect(report.certificates).toHaveLength(3);
    const onlyJks = await runAudit({ paths: [jks] });
    expect(onlyJks).toMatchObject({ status: 'OK', exitCode: 0 });
  });

  it('chain-invalid: a key entry whose chain stops short of a trusted root', async () => {
    const incomplete = await save('incomplete.p12', store({ ...node1, chain: [node1.chain[0]!] }));
    const completed = await save('completed.p12', store({ ...node1, chain: [node1.chain[0]!] }, trusted('ca', ca.certificate)));
    const report = await runAudit({ paths: [incomplete, completed], passwordFor: everyone });
    expect(report.findings.map((f) => [f.check, f.severity, f.code, f.location?.source])).toEqual([['chain-invalid', 'WARNING', 'ERR_CHAIN_UNTRUSTED', incomplete]]);
  });

  it('trust-gap: the slave does not trust the master', async () => {
    const other = await createCa({ subject: 'CN=Other CA', key: { kty: 'ec', curve: 'P-256' } });
    const slaveEntry = await nodeEntry(other, 'slave1', ['slave1.example.com']);
    const master = await save('master.p12', store(node1, trusted('ca', ca.certificate), trusted('other', other.certificate)));
    const slave = await save('slave.p12', store(slaveEntry, trusted('other', other.certificate)));
    const report = await runAudit({ trustGroups: [{ master, slaves: [slave] }], passwordFor: everyone });
    expect(checksOf(report)).toEqual(['CRITICAL trust-gap']);
    expect(report.findings[0]!.message).toMatch(new RegExp(`^${slave} does not trust ${master}: `));
    const fixed = await save('slave-fixed.p12', store(slaveEntry, trusted('other', other.certificate), trusted('ca', ca.certificate)));
    expect(checksOf(await runAudit({ trustGroups: [{ master, slaves: [fixed] }], passwordFor: everyone }))).toEqual([]);
  });

  it('expiry thresholds, --at, and ignore by id and by fingerprint', async () => {
    const soon = await nodeEntry(ca, 'soon', ['soon.example.com'], 20);
    const path = await save('soon.p12', store(soon));
    const now = new Date();
    const report = await runAudit({ paths: [path], passwordFor: everyone, at: now });
    expect(report.certificates.map((c) => [c.location.position, c.status, c.checks, c.daysLeft])).toEqual([
      [0, 'WARNING', ['expires-warning'], 19],
      [1, 'OK', [], expect.any(Number)],
    ]);
    const later = await runAudit({ paths: [path], passwordFor: everyone, at: new Date(now.getTime() + 30 * DAY) });
    expect(later.certificates[0]).toMatchObject({ status: 'CRITICAL', checks: ['expired'], daysLeft: -11 });
    expect(later.findings[0]!.message).toMatch(/^expired 10 days ago \(/);
    const quiet = await runAudit({ paths: [path], passwordFor: everyone, warnMs: 2 * DAY, critMs: DAY });
    expect(quiet.exitCode).toBe(0);
    const byId = await runAudit({ paths: [path], passwordFor: everyone, ignore: ['expires-warning'] });
    expect(byId).toMatchObject({ exitCode: 0, ignored: 1, findings: [] });
    const byFingerprint = await runAudit({ paths: [path], passwordFor: everyone, ignore: [`expires-warning:${'0'.repeat(64)}`] });
    expect(byFingerprint.exitCode).toBe(1);
    const exact = await runAudit({ paths: [path], passwordFor: everyone, ignore: [`expires-warning:${sha256Hex(soon.chain[0]!)}`] });
    expect(exact).toMatchObject({ exitCode: 0, ignored: 1 });
    await expect(runAudit({ paths: [path], warnMs: DAY, critMs: 2 * DAY })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('walks directories: skips what is not a keystore, survives symlink loops, reports a named non-keystore', async () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'a', 'b'), { recursive: true });
    await save('tree/a/b/node.p12', store(node1));
    writeFileSync(join(tree, 'a', 'notes.txt'), 'not a keystore\n');
    writeFileSync(join(tree, 'a', 'junk.bin'), new Uint8Array([0x30, 0x82, 0xff, 0x00, 1, 2, 3]));
    symlinkSync('..', join(tree, 'a', 'b', 'up'));
    symlinkSync(join(tree, 'a', 'b', 'node.p12'), join(tree, 'link.p12'));
    symlinkSync(join(tree, 'missing'), join(tree, 'dangling'));
    const report = await runAudit({ paths: [tree], passwordFor: everyone, workers: 0 });
    expect(report.sources.map((s) => s.source)).toEqual([join(tree, 'a', 'b', 'node.p12')]);
    expect(report.findings).toEqual([]);
    const named = await runAudit({ paths: [join(tree, 'a', 'notes.txt'), join(dir, 'nothing-here')] });
    expect(named.findings.map((f) => [f.check, f.code])).toEqual([
      ['unreadable', 'ERR_FILE_NOT_FOUND'],
      ['unreadable', 'ERR_KEYSTORE_FORMAT'],
    ]);
  });

  it('reports a file named like a keystore or certificate that cannot be read as one, wherever it is found', async () => {
    const tree = join(dir, 'named-tree');
    mkdirSync(join(tree, 'conf'), { recursive: true });
    await save('named-tree/node.p12', store(node1));
    // what a full disk, a failed copy or a missing mount leaves where a gateway's keystore was
    writeFileSync(join(tree, 'emptied.jks'), '');
    writeFileSync(join(tree, 'truncated.p12'), new Uint8Array([0x30, 0x82, 0x09]));
    writeFileSync(join(tree, 'ca.pem'), 'garbage\n');
    symlinkSync(join(tree, 'mnt', 'secrets', 'gw.pfx'), join(tree, 'gw.pfx'));
    execFileSync('mkfifo', [join(tree, 'pipe.keystore')]);
    // judged by content, as before: not keystores by name, and not reported
    writeFileSync(join(tree, 'conf', 'server.xml'), '<Server/>\n');
    symlinkSync(join(tree, 'missing'), join(tree, 'conf', 'old-link'));
    const report = await runAudit({ paths: [tree], passwordFor: everyone, workers: 0 });
    const unreadable = report.findings.filter((f) => f.check === 'unreadable').map((f) => [f.source!.replace(`${tree}/`, ''), f.code]);
    expect(unreadable.sort()).toEqual([
      ['ca.pem', 'ERR_KEYSTORE_FORMAT'],
      ['emptied.jks', 'ERR_KEYSTORE_FORMAT'],
      ['gw.pfx', 'ERR_FILE_NOT_FOUND'],
      ['pipe.keystore', 'ERR_IO'],
      ['truncated.p12', 'ERR_KEYSTORE_FORMAT'],
    ]);
    expect(report.findings.every((f) => f.check === 'unreadable' && f.severity === 'UNKNOWN')).toBe(true);
    expect(report.sources.filter((s) => s.store).map((s) => s.source)).toEqual([join(tree, 'node.p12')]);
    expect(report.exitCode).toBe(3);
  });

  it('an endpoint that refuses the connection is UNKNOWN, with the probe\'s code', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const report = await runAudit({ endpoints: [`127.0.0.1:${port}`, 'not a target'] });
    expect(report.findings.map((f) => [f.severity, f.check, f.source, f.code])).toEqual([
      ['UNKNOWN', 'unreadable', `127.0.0.1:${port}`, 'ERR_PROBE_REFUSED'],
      ['UNKNOWN', 'unreadable', 'not a target', 'ERR_INVALID_ARGUMENT'],
    ]);
    expect(report.exitCode).toBe(3);
  });
});
