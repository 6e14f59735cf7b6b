import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_LAYOUT, LAB_LOAD_BALANCER } from '../../src/cluster/lab_layout.js';
import { hapki } from '../helpers/cli.js';
import { sha256Hex } from '../../src/crypto/digest.js';
import { openKeystore } from '../../src/fs/keystore_file.js';
import type { PrivateKeyEntry } from '../../src/keystore/model.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import type { SshHost, SshLab } from '../helpers/sshd.js';
import { createSshClusterLab, type SshClusterLab } from '../helpers/ssh_cluster_lab.js';
import { keytool, keytoolFingerprints } from '../helpers/tools.js';

/**
 * The issue's "done when": a cluster of 2 gateway instances, a master and 2 slaves, each on an
 * sshd "host" of its own, brought to the cluster file's state by one apply from this machine.
 */
const NODES = ['msas1', 'msas2', 'admin', 'standby1', 'standby2'] as const;
type NodeName = (typeof NODES)[number];

let cluster: SshClusterLab;
let lab: SshLab;
let local: string;
let hosts: Map<NodeName, SshHost>;
let endpoints: Map<NodeName, number>;

beforeAll(async () => {
  cluster = await createSshClusterLab(NODES);
  ({ ssh: lab, local, hosts, endpoints } = cluster);
  writeFileSync(join(local, 'cluster.yaml'), clusterYaml());
  // each endpoint serves the node's certificate as it is before apply
  for (const name of NODES) cluster.startEndpoint(name);
});

afterAll(() => cluster?.stop());

const restartCommand = (name: NodeName, truststore?: string): string => cluster.restartCommand(name, truststore);

/** Where a node's files are: on its sshd host, or (copies) under a local directory. */
type Placement = (name: NodeName) => { host?: string; root: string };
const onHosts: Placement = (name) => ({ host: `root@127.0.0.1:${hosts.get(name)!.port}`, root: hosts.get(name)!.root });

function nodeYaml(name: NodeName, indent: string, at: Placement): string {
  const { host, root } = at(name);
  const layout = LAB_LAYOUT[name];
  const lines = [
    `name: ${name}`,
    ...(host ? [`host: ${host}`] : []),
    `keystore: ${join(root, layout.keystore)}`,
    `password: file:${layout.secret}`,
    `alias: ${layout.alias}`,
    `hostnames: [${name}.example.com]`,
    ...('truststore' in layout ? [`truststore: ${join(root, layout.truststore)}`] : []),
    `endpoint: 127.0.0.1:${endpoints.get(name)}`,
    `restart: ${JSON.stringify(restartCommand(name))}`,
    'health: { timeout: 20, restartTimeout: 20 }',
  ];
  return lines.map((l, i) => `${i === 0 ? `${indent.slice(2)}- ` : indent}${l}`).join('\n');
}

function clusterYaml(at: Placement = onHosts): string {
  const L = LAB_LAYOUT;
  return `ca:
  keystore: ${L.ca.keystore}
  alias: ca
  password: file:${L.ca.secret}
  create: { subject: "${L.ca.subject}", kty: rsa, days: 3650 }
loadBalancer:
  names: [${LAB_LOAD_BALANCER}]
ssh:
  user: root
  identity: ${lab.clientKey}
  knownHosts: ${lab.knownHosts}
gateway:
  name: msas
  instances:
${nodeYaml('msas1', '      ', at)}
${nodeYaml('msas2', '      ', at)}
replication:
  mode: direct
  master:
${nodeYaml('admin', '    ', at).replace(/^  - /, '    ')}
  slaves:
${nodeYaml('standby1', '      ', at)}
${nodeYaml('standby2', '      ', at)}
token:
  alias: token
  subject: "CN=msas-token,O=Example"
  days: 730
  keystore: ${L.token.keystore}
  password: file:${L.token.secret}
`;
}


/** The part of a `keytool -list -v` listing about one alias. */
function aliasSection(listing: string, alias: string): string {
  const start = listing.indexOf(`Alias name: ${alias}\n`);
  expect(start, alias).toBeGreaterThanOrEqual(0);
  const end = listing.indexOf('Alias name: ', start + 1);
  return listing.slice(start, end === -1 ? undefined : end);
}

type Watched = { code: number; stdout: string; stderr: string; acted: boolean };

/** Runs hapki, calling `act` once, as soon as `when` holds (polled every 2 ms while it runs). */
function hapkiWatching(args: string[], when: (child: ChildProcess) => boolean, act: (child: ChildProcess) => void, env: Record<string, string> = {}): Promise<Watched> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'hapki.js'), ...args], { env: { PATH: process.env['PATH'] ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    let acted = false;
    const timer = setInterval(() => {
      if (!acted && when(child)) {
        acted = true;
        act(child);
      }
    }, 2);
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code: code ?? -1, stdout, stderr, acted });
    });
  });
}

/** /proc/<pid>/stat: "pid (comm) state ...", state T once stopped. */
function isStopped(child: ChildProcess): boolean {
  try {
    return / T /.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8').replace(/^.*\)/, ')'));
  } catch {
    return false;
  }
}

/**
 * Runs hapki stopped (SIGSTOP, HAPKI_TEST_STOP_AT) at a step of its write path, calls `act` while
 * it stands there, and lets it go on: the failure `act` causes lands at exactly that step, however
 * busy the machine (a watcher polling for files saw them late under load, and acted after renames).
 */
function hapkiStoppedAt(args: string[], step: string, act: () => void): Promise<Watched> {
  return hapkiWatching(args, isStopped, (child) => (act(), child.kill('SIGCONT')), { HAPKI_TEST_STOP_AT: step });
}

/** Files under a directory whose names match, at any depth. */
function found(dir: string, test: (name: string) => boolean): boolean {
  return (readdirSync(dir, { recursive: true }) as string[]).some((n) => test(n.split('/').pop()!));
}

/** Every keystore and trust store of the cluster: its SHA-256, or "absent". */
function clusterFiles(): Map<string, string> {
  const out = new Map<string, string>();
  const files = [join(local, LAB_LAYOUT.ca.keystore), join(local, LAB_LAYOUT.token.keystore)];
  for (const name of NODES) {
    const layout = LAB_LAYOUT[name];
    files.push(join(hosts.get(name)!.root, layout.keystore));
    if ('truststore' in layout) files.push(join(hosts.get(name)!.root, layout.truststore));
  }
  for (const f of files) out.set(f, existsSync(f) ? createHash('sha256').update(readFileSync(f)).digest('hex') : 'absent');
  return out;
}

/** The node whose host a change set reaches last (they are taken in order of location). */
function lastHost(names: readonly NodeName[]): NodeName {
  return [...names].sort((a, b) => (`ssh://root@127.0.0.1:${hosts.get(a)!.port}` < `ssh://root@127.0.0.1:${hosts.get(b)!.port}` ? -1 : 1)).pop()!;
}

const clusterFile = (): string => join(local, 'cluster.yaml');
const secret = (name: NodeName): string => readFileSync(join(local, LAB_LAYOUT[name].secret), 'utf8').trim();

describe('a cluster on five sshd hosts', () => {
  it('plan reads every host and lists the restarts and checks apply will do', async () => {
    const plan = await hapki(['plan', clusterFile()]);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    for (const name of NODES) expect(plan.stdout).toContain(`ssh://root@127.0.0.1:${hosts.get(name)!.port}${hosts.get(name)!.root}/`);
    expect(plan.stdout).toMatch(/then restart 5 nodes, one at a time/);
    for (const name of NODES) expect(plan.stdout).toMatch(new RegExp(`  ${name}: run restart: on ssh://root@127.0.0.1:${hosts.get(name)!.port}, then check 127.0.0.1:${endpoints.get(name)} presents the new certificate`));
  });

  it('a host whose sshd dies mid-staging stops the change before any rename: every host unchanged', async () => {
    const before = clusterFiles();
    const victim = hosts.get(lastHost(NODES))!;
    // stopped once its first file is staged: every lock is held and staging has begun
    const run = await hapkiStoppedAt(['apply', clusterFile()], 'staging', () => victim.kill());
    try {
      expect(run.acted).toBe(true);
      expect(run.code).toBe(1);
      // one line naming the host that failed, with the SSH code on top (not the token's)
      expect(run.stderr).toMatch(/^hapki: [^\n]+ \(ERR_SSH_CONNECT\)\n$/);
      expect(run.stderr).toContain(`ssh://root@127.0.0.1:${victim.port}: connection lost`);
      expect(run.stderr).not.toContain('ERR_TOKEN_DISTRIBUTE_FAILED');
      expect(run.stdout).not.toMatch(/restarted/);
      expect(clusterFiles()).toEqual(before);
    } finally {
      await victim.start();
    }
    // what the killed run left (its locks and temps on the hosts) is cleared, changing no keystore
    const recovered = await hapki(['recover', clusterFile()]);
    expect(recovered.code).toBe(0);
    expect(found(lab.dir, (n) => n.includes('.hapki-'))).toBe(false);
    expect(clusterFiles()).toEqual(before);
  });

  it('apply writes every host, restarts the nodes one at a time, each passing its TLS check, and converges', async () => {
    const applied = await hapki(['apply', clusterFile()]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const progress = applied.stdout.split('\n').filter((l) => / (restarted on|Pass) /.test(l));
    expect(progress.map((l) => l.split(':')[0])).toEqual(NODES.flatMap((n) => [n, n]));
    progress.forEach((line, i) => expect(line).toMatch(i % 2 === 0 ? /: restarted on ssh:/ : /: Pass \(presents /));

    // certificates carry the load balancer's name; the token is the same on both gateways (keytool says so)
    const tokens: string[] = [];
    for (const name of ['msas1', 'msas2'] as const) {
      const file = join(hosts.get(name)!.root, LAB_LAYOUT[name].keystore);
      const listing = (await keytool(['-list', '-v', '-keystore', file, '-storepass', secret(name)])).stdout;
      const server = aliasSection(listing, 'server');
      expect(server).toContain(LAB_LOAD_BALANCER);
      tokens.push(keytoolFingerprints(aliasSection(listing, 'token'))[0]!);
    }
    expect(tokens[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens[1]).toBe(tokens[0]);

    // trust is mutual: the master's trust store (keytool) holds each slave's new certificate, and each slave's the master's
    const leaf = async (name: NodeName): Promise<string> => {
      const l = LAB_LAYOUT[name];
      const store = await openKeystore(join(hosts.get(name)!.root, l.keystore), { password: secret(name) });
      const entry = store.entries.find((e) => e.alias === l.alias);
      return sha256Hex((entry as PrivateKeyEntry).chain[0]!);
    };
    const trusted = async (name: NodeName): Promise<string[]> => {
      const l = LAB_LAYOUT[name] as { truststore: string };
      return keytoolFingerprints((await keytool(['-list', '-v', '-keystore', join(hosts.get(name)!.root, l.truststore), '-storepass', secret(name)])).stdout);
    };
    const master = await trusted('admin');
    for (const slave of ['standby1', 'standby2'] as const) {
      expect(master).toContain(await leaf(slave));
      expect(await trusted(slave)).toContain(await leaf('admin'));
    }

    const again = await hapki(['plan', clusterFile()]);
    expect(again.stdout).toContain('no changes');
    expect(again.stdout).not.toContain('then restart');
  });

  it('audit over SSH gives the findings audit gives on local copies of the same files', async () => {
    // the same cluster, every node's files copied to this machine
    const copies = join(lab.dir, 'copies');
    for (const name of NODES) cpSync(hosts.get(name)!.root, join(copies, name), { recursive: true });
    const copyFile = join(local, 'copies.yaml');
    writeFileSync(copyFile, clusterYaml((name) => ({ root: join(copies, name) })));
    const when = new Date().toISOString();
    const remote = await hapki(['audit', '--cluster', clusterFile(), '--format', 'json', '--at', when]);
    const copied = await hapki(['audit', '--cluster', copyFile, '--format', 'json', '--at', when]);
    expect(remote.stderr).toBe('');
    let normalized = remote.stdout;
    for (const name of NODES) normalized = normalized.split(`ssh://root@127.0.0.1:${hosts.get(name)!.port}${hosts.get(name)!.root}/`).join(`${join(copies, name)}/`);
    const r = JSON.parse(normalized);
    const c = JSON.parse(copied.stdout);
    // the same findings and certificates; their order follows the source names, which differ
    const sorted = (list: unknown[]): string[] => list.map((x) => JSON.stringify(x)).sort();
    expect(r.certificates.length).toBeGreaterThan(5);
    expect(sorted(r.findings)).toEqual(sorted(c.findings));
    expect(sorted(r.certificates)).toEqual(sorted(c.certificates));
    expect(sorted(r.sources)).toEqual(sorted(c.sources));
    expect(r.status).toBe(c.status);
    expect(remote.code).toBe(copied.code);
  });

  it('audit over SSH reports an unreachable host as UNKNOWN and audits the others', async () => {
    const down = hosts.get('standby2')!;
    const first = hosts.get(NODES[0]!)!.root;
    writeFileSync(join(first, 'emptied.p12'), '');
    symlinkSync(join(first, 'mnt', 'gone.jks'), join(first, 'gone.jks'));
    writeFileSync(join(first, 'notes.txt'), 'not a keystore\n');
    down.kill();
    try {
      const paths = NODES.map((n) => `ssh://root@127.0.0.1:${hosts.get(n)!.port}${hosts.get(n)!.root}/`);
      const result = await hapki(['audit', ...paths, '--format', 'json', '--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey]);
      const report = JSON.parse(result.stdout);
      const unreachable = report.sources.filter((s: { error?: { code: string } }) => s.error?.code === 'ERR_SSH_CONNECT');
      expect(unreachable.map((s: { source: string }) => s.source)).toEqual([paths[4]]);
      expect(unreachable[0].error.message).toContain(`127.0.0.1:${down.port}`);
      expect(report.findings.some((f: { severity: string; source?: string }) => f.severity === 'UNKNOWN' && f.source === paths[4])).toBe(true);
      // the four other hosts were walked and their keystores read (p12 stores: password required, still read)
      for (const path of paths.slice(0, 4)) {
        const found = report.sources.filter((s: { source: string; error?: { code: string } }) => s.source.startsWith(path) && !s.error?.code.startsWith('ERR_SSH'));
        expect(found.length, path).toBeGreaterThan(0);
      }
      // a keystore-named file that is no keystore (emptied, a link to nothing) is reported over SFTP too
      const unread = (name: string): string | undefined => report.findings.find((f: { check: string; source?: string }) => f.check === 'unreadable' && f.source === `${paths[0]}${name}`)?.code;
      expect([unread('emptied.p12'), unread('gone.jks'), unread('notes.txt')]).toEqual(['ERR_KEYSTORE_FORMAT', 'ERR_FILE_NOT_FOUND', undefined]);
      expect(result.code).toBe(3);
    } finally {
      await down.start();
      for (const name of ['emptied.p12', 'gone.jks', 'notes.txt']) rmSync(join(hosts.get(NODES[0]!)!.root, name), { force: true });
    }
  });

  it('trust check --live: mutual TLS from the master to each slave and back, Pass/Fail with reasons', async () => {
    const live = await hapki(['trust', 'check', '--live', '--cluster', clusterFile()]);
    expect(live.stderr).toBe('');
    expect(live.code).toBe(0);
    const lines = live.stdout.trim().split('\n');
    expect(lines.slice(0, 4).map((l) => l.split(/\s+/).slice(0, 4).join(' '))).toEqual(['Pass admin -> standby1', 'Pass admin -> standby2', 'Pass standby1 -> admin', 'Pass standby2 -> admin']);
    // standby2 comes back trusting nothing of the master's: its old self-signed keystore as trust store
    const standby2 = hosts.get('standby2')!;
    execFileSync('/bin/sh', ['-c', restartCommand('standby2', join(standby2.root, `${LAB_LAYOUT.standby2.keystore}.bak`))]);
    for (let i = 0; i < 100; i++) {
      const again = await hapki(['trust', 'check', '--live', '--cluster', clusterFile()]);
      // until it is back: the restart returns before the new endpoint listens (refused meanwhile)
      if (again.code !== 0 && !again.stdout.includes('(ERR_PROBE_REFUSED)')) {
        expect(again.stdout).toMatch(/^Fail  admin -> standby2 +127\.0\.0\.1:\d+  the server rejected our client certificate \(CN=admin\.example\.com\).*\(ERR_PROBE_CLIENT_CERT_REJECTED\)$/m);
        expect(again.stdout).toMatch(/^Pass  admin -> standby1 /m);
        expect(again.stderr).toMatch(/\(ERR_TRUST_CHECK_FAILED\)\n$/);
        break;
      }
      expect(i).toBeLessThan(99);
    }
    execFileSync('/bin/sh', ['-c', restartCommand('standby2')]);
  });

  it('a host whose sshd dies mid-commit: after hapki recover, every file is all old or all new', async () => {
    // a second load balancer name: both gateway certificates are re-issued, one change set over two hosts
    writeFileSync(clusterFile(), readFileSync(clusterFile(), 'utf8').replace(`names: [${LAB_LOAD_BALANCER}]`, `names: [${LAB_LOAD_BALANCER}, lbr2.example.com]`));
    const before = clusterFiles();
    const victim = hosts.get(lastHost(['msas1', 'msas2']))!;
    const run = await hapkiWatching(['apply', clusterFile(), '--no-restart'], () => found(lab.dir, (n) => n.includes('.hapki-') && n.endsWith('.journal')), () => victim.kill());
    await victim.start();
    expect(run.acted).toBe(true);
    const recovered = await hapki(['recover', clusterFile()]);
    expect(recovered.code).toBe(0);
    expect(recovered.stderr).not.toMatch(/\(ERR_/);
    const after = clusterFiles();
    const changed = [...after].filter(([f, h]) => before.get(f) !== h).map(([f]) => f);
    // the two gateway keystores moved together, or neither did
    expect([0, 2]).toContain(changed.length);
    for (const f of changed) expect(f).toMatch(/gateway\.jks$/);
    expect(found(lab.dir, (n) => n.includes('.hapki-'))).toBe(false);
    // and a rerun finishes the job
    const rerun = await hapki(['apply', clusterFile(), '--no-restart']);
    expect(rerun.stderr).toBe('');
    expect((await hapki(['plan', clusterFile()])).stdout).toContain('no changes');
  });
});
