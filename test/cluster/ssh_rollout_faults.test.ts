import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab } from '../../src/cluster/create_lab.js';
import { LAB_LAYOUT } from '../../src/cluster/lab_layout.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { createSshLab, type SshHost, type SshLab } from '../helpers/sshd.js';

/**
 * Rollout faults of `apply` on two sshd "hosts" (kept small: the full cluster is ssh_cluster.test.ts):
 * a `restart:` that fails stops the rollout naming node and host, later nodes are not restarted;
 * `--no-restart` writes the files and restarts nothing.
 */
const NODES = ['msas1', 'msas2'] as const;
type NodeName = (typeof NODES)[number];

let lab: SshLab;
let local: string;
const hosts = new Map<NodeName, SshHost>();

beforeAll(async () => {
  lab = createSshLab();
  local = join(lab.dir, 'operator');
  await createLab(local);
  for (const name of NODES) {
    const host = await lab.addHost(name);
    hosts.set(name, host);
    const file = LAB_LAYOUT[name].keystore;
    mkdirSync(dirname(join(host.root, file)), { recursive: true });
    cpSync(join(local, file), join(host.root, file));
    rmSync(join(local, dirname(file)), { recursive: true, force: true });
  }
});

afterAll(() => {
  for (const name of NODES) {
    try {
      process.kill(Number(readFileSync(join(hosts.get(name)!.root, 'endpoint.pid'), 'utf8')), 'SIGKILL');
    } catch {
      // no endpoint started there
    }
  }
  lab?.stop();
});

let endpointPort = 0;

const marker = (name: NodeName): string => join(hosts.get(name)!.root, 'restarted');
const keystore = (name: NodeName): string => join(hosts.get(name)!.root, LAB_LAYOUT[name].keystore);
const digest = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function clusterYaml(restart: Record<NodeName, string>, extraName = '', endpoint?: NodeName): string {
  const L = LAB_LAYOUT;
  const node = (name: NodeName): string => `    - name: ${name}
      host: root@127.0.0.1:${hosts.get(name)!.port}
      keystore: ${keystore(name)}
      password: file:${L[name].secret}
      alias: ${L[name].alias}
      hostnames: [${name}.example.com${extraName}]
      restart: ${JSON.stringify(restart[name])}${name === endpoint ? `\n      endpoint: 127.0.0.1:${endpointPort}` : ''}
      health: { timeout: 3, restartTimeout: 3 }`;
  return `ca:
  keystore: ${L.ca.keystore}
  alias: ca
  password: file:${L.ca.secret}
  create: { subject: "${L.ca.subject}", kty: ec, days: 3650 }
ssh:
  user: root
  identity: ${lab.clientKey}
  knownHosts: ${lab.knownHosts}
gateway:
  name: msas
  instances:
${node('msas1')}
${node('msas2')}
`;
}

describe('apply rollout faults on two sshd hosts', () => {
  it('a restart: that fails stops the rollout with ERR_NODE_RESTART naming node and host; the later node is not restarted', async () => {
    writeFileSync(join(local, 'cluster.yaml'), clusterYaml({ msas1: 'echo cannot restart >&2; exit 1', msas2: `touch ${marker('msas2')}` }));
    const r = await hapki(['apply', join(local, 'cluster.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_NODE_RESTART'));
    expect(r.stderr).toContain('msas1');
    expect(r.stderr).toContain(`127.0.0.1:${hosts.get('msas1')!.port}`);
    expect(r.stdout).not.toMatch(/msas2: restarted/);
    expect(existsSync(marker('msas2'))).toBe(false);
  });

  it('a restart: that hangs is bounded by restartTimeout: ERR_NODE_RESTART, the command returns', async () => {
    writeFileSync(join(local, 'cluster.yaml'), clusterYaml({ msas1: 'sleep 60', msas2: `touch ${marker('msas2')}` }, ', hang.example.com'));
    const r = await hapki(['apply', join(local, 'cluster.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_NODE_RESTART'));
    expect(r.stderr).toContain('msas1');
    expect(existsSync(marker('msas2'))).toBe(false);
  });

  it('an endpoint that keeps presenting the old certificate fails its check with ERR_NODE_HEALTH naming the node', async () => {
    endpointPort = await closedPort();
    const L = LAB_LAYOUT.msas1;
    // the endpoint serves the certificate as it is before apply; the restart: command does not restart it
    const start = `NODE=${process.execPath} ${join(REPO_ROOT, 'test/helpers/restart_endpoint.sh')} ${hosts.get('msas1')!.root} ${keystore('msas1')} ${join(local, L.secret)} ${L.alias} ${endpointPort}`;
    execFileSync('/bin/sh', ['-c', start]);
    writeFileSync(join(local, 'cluster.yaml'), clusterYaml({ msas1: 'true', msas2: `touch ${marker('msas2')}` }, ', old.example.com', 'msas1'));
    const r = await hapki(['apply', join(local, 'cluster.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_NODE_HEALTH'));
    expect(r.stderr).toContain('msas1');
    expect(r.stderr).toContain(`127.0.0.1:${endpointPort} did not pass its check within 3s: still presents the old certificate`);
    expect(existsSync(marker('msas2'))).toBe(false);
  });

  it('--no-restart writes the files and restarts nothing', async () => {
    const before = digest(keystore('msas2'));
    // a new name for each node: both certificates are reissued
    writeFileSync(join(local, 'cluster.yaml'), clusterYaml({ msas1: `touch ${marker('msas1')}`, msas2: `touch ${marker('msas2')}` }, ', extra.example.com', 'msas1'));
    const r = await hapki(['apply', join(local, 'cluster.yaml'), '--no-restart']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(digest(keystore('msas2'))).not.toBe(before);
    expect(r.stdout).not.toMatch(/restarted/);
    for (const name of NODES) expect(existsSync(marker(name)), name).toBe(false);
  });

  it('the warning of a recovered interrupted change names remote files with their ssh:// host', async () => {
    writeFileSync(join(local, 'cluster.yaml'), clusterYaml({ msas1: 'true', msas2: 'true' }, ', crash.example.com'));
    const killed = await hapki(['apply', join(local, 'cluster.yaml'), '--no-restart'], { env: { HAPKI_TEST_CRASH_AT: 'staged' } });
    expect(killed.code).not.toBe(0);
    const rerun = await hapki(['apply', join(local, 'cluster.yaml'), '--no-restart']);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(/hapki: warning: an interrupted change of .* was recovered/);
    for (const name of NODES) expect(rerun.stderr).toContain(`ssh://root@127.0.0.1:${hosts.get(name)!.port}${keystore(name)}`);
  });
});

/** A loopback port chosen by the OS, closed again for the endpoint to take. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
