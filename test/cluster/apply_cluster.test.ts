import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyCluster } from '../../src/cluster/apply_cluster.js';
import { createLab } from '../../src/cluster/create_lab.js';
import { LAB_LAYOUT } from '../../src/cluster/lab_layout.js';
import { loadClusterFile } from '../../src/cluster/load_cluster_file.js';
import { planCluster } from '../../src/cluster/plan_cluster.js';
import { renderClusterPlan } from '../../src/cluster/plan_text.js';
import { describeCertificate } from '../../src/cert/describe.js';
import { openKeystore, saveKeystore } from '../../src/fs/keystore_file.js';
import { getEntry } from '../../src/keystore/alias.js';
import type { PrivateKeyEntry } from '../../src/keystore/model.js';
import { tempDir } from '../helpers/tools.js';

const root = tempDir('hapki-cluster-apply-');
let labs = 0;

async function lab(): Promise<{ dir: string; file: string }> {
  const dir = join(root, `lab${++labs}`);
  const made = await createLab(dir);
  return { dir, file: made.clusterFile };
}

/** Every file under dir with its SHA-256 and mtime. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isFile()) out.set(name, `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${stat.mtimeMs}`);
  }
  return out;
}

const password = (dir: string, secret: string): string => readFileSync(join(dir, secret), 'utf8').trim();

async function leafOf(dir: string, node: { keystore: string; secret: string; alias: string }): Promise<PrivateKeyEntry> {
  const store = await openKeystore(join(dir, node.keystore), { password: password(dir, node.secret) });
  return getEntry(store, node.alias) as PrivateKeyEntry;
}

describe('planCluster and applyCluster on a lab', () => {
  it('plans every step, writes nothing while planning, applies, and converges', async () => {
    const { dir, file } = await lab();
    const cluster = await loadClusterFile(file);
    const before = snapshot(dir);
    const plan = await planCluster(cluster);
    expect(snapshot(dir)).toEqual(before);
    const kinds = plan.steps.map((s) => `${s.node} ${s.kind}`);
    expect(kinds).toEqual([
      'token issue-token',
      'msas1 issue-certificate', 'msas1 trust-ca', 'msas1 distribute-token', 'msas2 issue-certificate', 'msas2 trust-ca', 'msas2 distribute-token',
      'admin issue-certificate', 'admin trust-ca', 'standby1 issue-certificate', 'standby1 trust-ca', 'standby2 issue-certificate', 'standby2 trust-ca',
      'admin create-truststore', 'admin add-trusted', 'admin add-trusted', 'standby1 create-truststore', 'standby1 add-trusted', 'standby2 create-truststore', 'standby2 add-trusted',
    ]);
    expect(plan.steps[1]!.details[0]).toBe('names: DNS:msas1.example.com, DNS:lbrhost.example.com');
    expect(plan.writes.map((w) => w.file.slice(dir.length + 1))).toEqual([
      'token/token.p12', 'gateways/msas1/gateway.jks', 'gateways/msas2/gateway.jks', 'admin/admin.p12', 'standby1/standby1.p12', 'standby2/standby2.p12',
      'admin/truststore.p12', 'standby1/truststore.p12', 'standby2/truststore.p12',
    ]);
    const text = renderClusterPlan(plan);
    expect(text).toMatch(/^.*cluster\.yaml: 20 changes to 9 keystores\ntoken\/token\.p12 \(token, new file\)\n {2}\+ issue the token certificate "token": CN=msas-token, O=Example\n/);
    expect(text).toContain('gateways/msas1/gateway.jks (msas1)\n  ~ issue a certificate for "server": CN=msas1.example.com\n      names: DNS:msas1.example.com, DNS:lbrhost.example.com\n      why: self-signed, not issued by the cluster\'s CA; lacks DNS:msas1.example.com, DNS:lbrhost.example.com\n');

    const applied = await applyCluster(cluster);
    expect(applied.written).toHaveLength(9);
    for (const node of [LAB_LAYOUT.msas1, LAB_LAYOUT.msas2]) {
      const entry = await leafOf(dir, node);
      expect(entry.chain).toHaveLength(2);
      expect(describeCertificate(entry.chain[0]!).san).toEqual([`DNS:${node.subject.slice(3)}`, 'DNS:lbrhost.example.com']);
      expect(describeCertificate(entry.chain[1]!).subject).toBe('CN=Example Lab Root CA, O=Example');
    }
    const after = snapshot(dir);
    const second = await applyCluster(cluster);
    expect(second.plan.steps).toEqual([]);
    expect(second.written).toEqual([]);
    expect(renderClusterPlan(second.plan)).toBe(`${file}: no changes: every keystore is as the cluster file says\n`);
    expect(snapshot(dir)).toEqual(after);
  });

  // regression: apply wrote a PEM keystore back with { password: '' }, encrypting its clear keys under an empty password nobody chose
  it('a PEM gateway keystore with its keys in the clear, under an empty password, keeps them in the clear', async () => {
    const { dir, file } = await lab();
    const node = LAB_LAYOUT.msas1;
    const jks = join(dir, node.keystore);
    const store = await openKeystore(jks, { password: password(dir, node.secret) });
    await saveKeystore(jks, { ...store, format: 'PEM' }, { force: true });
    writeFileSync(join(dir, 'secrets', 'empty.pass'), '\n', { mode: 0o600 });
    writeFileSync(file, readFileSync(file, 'utf8').replace(`keystore: ${node.keystore}\n      password: file:${node.secret}`, `keystore: ${node.keystore}\n      password: file:secrets/empty.pass`));
    expect(readFileSync(jks, 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    const cluster = await loadClusterFile(file);
    await applyCluster(cluster);
    const text = readFileSync(jks, 'utf8');
    expect(text).toContain('-----BEGIN PRIVATE KEY-----');
    expect(text).not.toContain('ENCRYPTED');
    const leaf = (await openKeystore(jks, { password: '' })).entries.find((e) => e.type === 'private-key') as PrivateKeyEntry;
    expect(describeCertificate(leaf.chain[0]!).san).toContain('DNS:lbrhost.example.com');
    expect((await planCluster(await loadClusterFile(file))).steps).toEqual([]);
  });

  it('keeps a .bak of every keystore it replaced', async () => {
    const { dir, file } = await lab();
    const original = readFileSync(join(dir, LAB_LAYOUT.msas1.keystore));
    await applyCluster(await loadClusterFile(file));
    expect(readFileSync(join(dir, `${LAB_LAYOUT.msas1.keystore}.bak`))).toEqual(original);
    expect(statSync(join(dir, LAB_LAYOUT.admin.keystore)).mode & 0o777).toBe(0o600);
  });

  it('a wrong password in one instance stops before anything is written; fixed, apply finishes', async () => {
    const { dir, file } = await lab();
    const cluster = await loadClusterFile(file);
    const wrong = join(dir, 'secrets', 'wrong.pass');
    writeFileSync(wrong, 'not-the-password\n');
    const broken = { ...cluster, gateway: { ...cluster.gateway, instances: cluster.gateway.instances.map((n) => (n.name === 'msas2' ? { ...n, password: { kind: 'file' as const, path: wrong } } : n)) } };
    const before = snapshot(dir);
    await expect(applyCluster(broken)).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD', message: expect.stringMatching(/^msas2 \(gateways\/msas2\/gateway\.jks\): /) });
    expect(snapshot(dir)).toEqual(before);
    await applyCluster(cluster);
    expect((await planCluster(cluster)).steps).toEqual([]);
  });

  it('a write failing part way writes nothing (one change set), and a rerun finishes the job', async () => {
    const { dir, file } = await lab();
    const cluster = await loadClusterFile(file);
    // a directory where standby1's backup must go: staging fails on the 5th keystore of the change set
    mkdirSync(join(dir, 'standby1', 'standby1.p12.bak'));
    const before = snapshot(dir);
    await expect(applyCluster(cluster)).rejects.toMatchObject({ code: 'ERR_UNSAFE_PATH' });
    expect(snapshot(dir)).toEqual(before);
    expect((readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.includes('.hapki-'))).toEqual([]);
    rmdirSync(join(dir, 'standby1', 'standby1.p12.bak'));
    await applyCluster(cluster);
    expect((await planCluster(cluster)).steps).toEqual([]);
  });

  it('re-issues within the renewal window; keeps the superseded peer certificates trusted until --prune removes them', async () => {
    const { dir, file } = await lab();
    const cluster = await loadClusterFile(file);
    await applyCluster(cluster);
    const first = describeCertificate((await leafOf(dir, LAB_LAYOUT.admin)).chain[0]!);
    const later = new Date(Date.parse(first.notAfter) - 10 * 86_400_000);
    const plan = await planCluster(cluster, { now: later });
    const renewals = plan.steps.filter((s) => s.kind === 'issue-certificate');
    expect(renewals.map((s) => s.node)).toEqual(['msas1', 'msas2', 'admin', 'standby1', 'standby2']);
    expect(renewals[0]!.details[1]).toMatch(/^why: ends \d{4}-\d\d-\d\d, within the 30-day renewal window$/);
    const trustSteps = (p: typeof plan): string[] => p.steps.filter((s) => s.node === 'standby1' && s.file.endsWith('truststore.p12')).map((s) => s.kind);
    expect(trustSteps(plan)).toEqual(['add-trusted']);
    expect(plan.warnings).toContainEqual(expect.stringMatching(/^standby1: trust store keeps the superseded "admin\.example\.com" until every node runs its new certificate/));
    expect(trustSteps(await planCluster(cluster, { now: later, prune: true }))).toEqual(['remove-trusted', 'add-trusted']);
    expect(plan.warnings.some((w) => w.startsWith('token: the token certificate ends'))).toBe(false);
    await applyCluster(cluster, { now: later });
    const trustFile = join(dir, LAB_LAYOUT.standby1.truststore);
    const trusted = async (): Promise<string[]> => (await openKeystore(trustFile, { password: password(dir, LAB_LAYOUT.standby1.secret) })).entries.map((e) => e.alias);
    expect(await trusted()).toHaveLength(2);
    await applyCluster(cluster, { now: later, prune: true });
    // the new certificate came in beside the old one, under the next free alias
    expect(await trusted()).toEqual([expect.stringMatching(/^admin\.example\.com(-\d+)?$/)]);
    expect((await planCluster(cluster, { now: later, prune: true })).steps).toEqual([]);
  });

  it('re-issues a certificate whose key no longer matches it', async () => {
    const { dir, file } = await lab();
    const cluster = await loadClusterFile(file);
    await applyCluster(cluster);
    const path = join(dir, LAB_LAYOUT.msas1.keystore);
    const pass = password(dir, LAB_LAYOUT.msas1.secret);
    const store = await openKeystore(path, { password: pass });
    const token = getEntry(store, 'token') as PrivateKeyEntry;
    (getEntry(store, 'server') as PrivateKeyEntry).key = token.key!;
    await saveKeystore(path, store, { password: pass, force: true });
    const plan = await planCluster(cluster);
    expect(plan.steps.map((s) => `${s.node} ${s.kind}`)).toEqual(['msas1 issue-certificate']);
    expect(plan.steps[0]!.details[1]).toBe("why: the certificate is not for the entry's key");
  });

  it('creates the CA when its keystore is absent and ca.create says how; refuses without it', async () => {
    const { dir, file } = await lab();
    const cluster = await loadClusterFile(file);
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, LAB_LAYOUT.ca.keystore));
    const plan = await planCluster(cluster);
    expect(plan.steps[0]).toMatchObject({ kind: 'create-ca', node: 'ca', summary: 'create the CA: CN=Example Lab Root CA, O=Example' });
    const { create: _create, ...noCreate } = cluster.ca;
    await expect(planCluster({ ...cluster, ca: noCreate })).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND', message: 'ca (ca/ca.p12): no such file, and ca.create does not say how to make one' });
  });

  it('the CA is made while the nodes are read: a node failing meanwhile is reported, a CA failing is reported first', async () => {
    const { dir, file } = await lab();
    const cluster = await loadClusterFile(file);
    const { rmSync, renameSync } = await import('node:fs');
    // the CA to be made, and a node's keystore gone: the node's error, once the CA is made (no stray rejection)
    renameSync(join(dir, LAB_LAYOUT.ca.keystore), join(dir, 'ca-kept.p12'));
    rmSync(join(dir, LAB_LAYOUT.msas2.keystore));
    await expect(planCluster(cluster)).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND', message: expect.stringMatching(/^msas2 \(gateways\/msas2\/gateway\.jks\): no such file/) });
    // the CA's keystore there but without its alias, and the node still gone: the CA's error comes first, as in the file
    renameSync(join(dir, 'ca-kept.p12'), join(dir, LAB_LAYOUT.ca.keystore));
    await expect(planCluster({ ...cluster, ca: { ...cluster.ca, alias: 'no-such-alias' } })).rejects.toMatchObject({ message: expect.stringMatching(/no-such-alias/) });
  });
});
