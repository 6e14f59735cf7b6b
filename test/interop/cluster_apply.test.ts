import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAB_LAYOUT } from '../../src/cluster/lab_layout.js';
import { hapki } from '../helpers/cli.js';
import { keytool, keytoolFingerprints, tempDir } from '../helpers/tools.js';

const dir = join(tempDir('hapki-cluster-interop-'), 'lab');
const cluster = join(dir, 'cluster.yaml');
const at = (name: string): string => join(dir, name);
const storepass = (secret: string): string[] => ['-storepass:file', at(secret)];

beforeAll(async () => {
  const lab = await hapki(['lab', dir]);
  expect(lab.code, lab.stderr).toBe(0);
  const applied = await hapki(['apply', cluster]);
  expect(applied.code, applied.stderr).toBe(0);
  expect(applied.stdout).toMatch(/applied: wrote 9 keystores \(each replaced file kept as <file>\.bak\); planned again: no changes left\n$/);
});

describe('hapki apply on a lab, checked by keytool', () => {
  it('gives every gateway instance a CA-issued chain of 2 carrying its own name and the load balancer\'s, and the same token', async () => {
    const tokens: string[] = [];
    for (const node of [LAB_LAYOUT.msas1, LAB_LAYOUT.msas2]) {
      const server = (await keytool(['-list', '-v', '-keystore', at(node.keystore), ...storepass(node.secret), '-alias', 'server'])).stdout;
      expect(server).toContain('Entry type: PrivateKeyEntry');
      expect(server).toContain('Certificate chain length: 2');
      expect(server).toContain(`Owner: ${node.subject}`);
      expect(server).toContain('Issuer: CN=Example Lab Root CA, O=Example');
      expect(server).toContain(`DNSName: ${node.subject.slice(3)}`);
      expect(server).toContain('DNSName: lbrhost.example.com');
      const token = (await keytool(['-list', '-v', '-keystore', at(node.keystore), ...storepass(node.secret), '-alias', 'token'])).stdout;
      expect(token).toContain('Entry type: PrivateKeyEntry');
      tokens.push(keytoolFingerprints(token)[0]!);
    }
    const home = (await keytool(['-list', '-v', '-keystore', at(LAB_LAYOUT.token.keystore), ...storepass(LAB_LAYOUT.token.secret), '-alias', 'token'])).stdout;
    expect(new Set([...tokens, keytoolFingerprints(home)[0]!]).size).toBe(1);
  });

  it('writes trust stores that hapki trust check passes', async () => {
    const nodes = [LAB_LAYOUT.admin, LAB_LAYOUT.standby1, LAB_LAYOUT.standby2];
    const r = await hapki([
      'trust', 'check', '--master', at(LAB_LAYOUT.admin.keystore), '--slave', at(LAB_LAYOUT.standby1.keystore), '--slave', at(LAB_LAYOUT.standby2.keystore),
      ...nodes.flatMap((n) => ['--trust-store-for', `${at(n.keystore)}=${at(n.truststore)}`]),
      '--storepass', `file:${at(LAB_LAYOUT.admin.secret)}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('PASS admin.p12 -> standby1.p12\nPASS standby1.p12 -> admin.p12\nPASS admin.p12 -> standby2.p12\nPASS standby2.p12 -> admin.p12\n');
  });

  it('a second apply changes nothing', async () => {
    const files = [LAB_LAYOUT.msas1.keystore, LAB_LAYOUT.msas2.keystore, LAB_LAYOUT.admin.keystore, LAB_LAYOUT.standby1.truststore, LAB_LAYOUT.token.keystore].map(at);
    const before = files.map((f) => readFileSync(f));
    const r = await hapki(['apply', cluster]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${cluster}: no changes: every keystore is as the cluster file says\n`);
    expect(files.map((f) => readFileSync(f))).toEqual(before);
  });

  it('restores exactly the trust entry keytool deleted', async () => {
    const truststore = at(LAB_LAYOUT.standby1.truststore);
    const pass = storepass(LAB_LAYOUT.standby1.secret);
    const listed = (await keytool(['-list', '-v', '-keystore', truststore, ...pass])).stdout;
    await keytool(['-delete', '-alias', 'admin.example.com', '-keystore', truststore, ...pass]);
    const plan = await hapki(['plan', cluster]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^.*cluster\.yaml: 1 change to 1 keystore\nstandby1\/truststore\.p12 \(standby1\)\n {2}\+ trust "admin\.example\.com": CN=admin\.example\.com\n {6}sha256 [0-9a-f]{64}\n$/);
    const json = JSON.parse((await hapki(['plan', cluster, '--json'])).stdout);
    expect(json.steps).toHaveLength(1);
    expect(json.steps[0]).toMatchObject({ kind: 'add-trusted', node: 'standby1', file: truststore });
    const applied = await hapki(['apply', cluster]);
    expect(applied.code, applied.stderr).toBe(0);
    const relisted = (await keytool(['-list', '-v', '-keystore', truststore, ...pass])).stdout;
    expect(relisted).toContain('Alias name: admin.example.com');
    expect(keytoolFingerprints(relisted)).toEqual(keytoolFingerprints(listed));
  });
});

describe('hapki audit --cluster on the applied lab', () => {
  it('is OK (exit 0) with every store read, the load balancer name on every instance and one token', async () => {
    const r = await hapki(['audit', '--cluster', cluster, '--format', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.status).toBe('OK');
    expect(report.sources.filter((s: { error?: unknown }) => s.error)).toEqual([]);
    expect(report.sources.length).toBeGreaterThanOrEqual(10);
    const tuned = await hapki(['audit', '--cluster', cluster, '--warn', '12h', '--crit', '1h', '--ignore', 'weak-signature']);
    expect(tuned.code, tuned.stdout + tuned.stderr).toBe(0);
  });

  it('is CRITICAL (exit 2) once keytool replaces an instance certificate with an expired one lacking the load balancer name', async () => {
    const node = LAB_LAYOUT.msas2;
    const pass = storepass(node.secret);
    await keytool(['-delete', '-alias', 'server', '-keystore', at(node.keystore), ...pass]);
    await keytool([
      '-genkeypair', '-alias', 'server', '-keyalg', 'RSA', '-keysize', '2048', '-dname', node.subject,
      '-startdate', '-30d', '-validity', '2', '-keystore', at(node.keystore), ...pass, '-keypass:file', at(node.secret),
    ]);
    const r = await hapki(['audit', '--cluster', cluster, '--format', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const report = JSON.parse(r.stdout);
    const checks = report.findings.map((f: { check: string; location?: { source: string } }) => `${f.check} ${f.location?.source ?? ''}`);
    expect(checks).toContain(`expired ${at(node.keystore)}`);
    expect(checks).toContain(`missing-san ${at(node.keystore)}`);
    expect(report.findings.filter((f: { check: string }) => f.check === 'missing-san')).toHaveLength(1);
  });
});
