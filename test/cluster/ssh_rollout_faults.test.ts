import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_LAYOUT } from '../../src/cluster/lab_layout.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { createSshClusterLab, fileDigest, gatewayClusterYaml, type SshClusterLab } from '../helpers/ssh_cluster_lab.js';
import { createSudoUser } from '../helpers/sshd.js';

/**
 * Rollout faults of `apply` on two sshd "hosts" (kept small: the full cluster is ssh_cluster.test.ts).
 * Each fault is one line with a code naming the node or host, leaves every file old or new, and a
 * rerun finishes the job: restarts left undone are owed (a marker beside the node's keystore,
 * written with its files) and done by the next apply.
 */
const NODES = ['msas1', 'msas2'] as const;
type NodeName = (typeof NODES)[number];

let lab: SshClusterLab;
let local: string;

beforeAll(async () => {
  lab = await createSshClusterLab(NODES);
  local = lab.local;
});

afterAll(() => lab?.stop());

interface NodeSpec {
  restart?: string;
  before?: string;
  after?: string;
  endpoint?: boolean;
  /** The node's `host:` (default root@127.0.0.1:<its port>). */
  host?: string;
}

const touched = (name: string): string => join(local, `ran-${name}`);
const touch = (name: string): string => `touch ${touched(name)}`;
const keystore = (name: NodeName): string => lab.keystore(name);
const port = (name: NodeName): number => lab.hosts.get(name)!.port;
const clusterFile = (): string => join(local, 'cluster.yaml');
let names = 0;

/** A cluster file whose nodes need a new certificate (a new name for both), each node as given. */
function writeCluster(spec: Record<NodeName, NodeSpec>, options: { token?: boolean; sameNames?: boolean } = {}): void {
  if (!options.sameNames) names++;
  const L = LAB_LAYOUT;
  const node = (name: NodeName): string => {
    const s = spec[name];
    return [
      `    - name: ${name}`,
      `      host: ${s.host ?? lab.hostOf(name)}`,
      `      keystore: ${keystore(name)}`,
      `      password: file:${L[name].secret}`,
      `      alias: ${L[name].alias}`,
      `      hostnames: [${name}.example.com, v${names}.example.com]`,
      ...(s.restart !== undefined ? [`      restart: ${JSON.stringify(s.restart)}`] : []),
      ...(s.before !== undefined ? [`      before: ${JSON.stringify(s.before)}`] : []),
      ...(s.after !== undefined ? [`      after: ${JSON.stringify(s.after)}`] : []),
      ...(s.endpoint ? [`      endpoint: 127.0.0.1:${lab.endpoints.get(name)}`] : []),
      '      health: { timeout: 5, restartTimeout: 5 }',
    ].join('\n');
  };
  writeFileSync(clusterFile(), gatewayClusterYaml(lab, [node('msas1'), node('msas2')], { token: options.token === true }));
}

/** The restart lines apply printed, "msas1: restarted on ssh://…" and "msas1: Pass (…)". */
const progress = (stdout: string): string[] => stdout.split('\n').filter((l) => /^msas\d: (restarted on|Pass)/.test(l)).map((l) => l.replace(/ on ssh:.*| \(.*/, ''));

const markers = (): string[] => NODES.filter((n) => existsSync(join(dirname(keystore(n)), '.gateway.jks.restart-pending')));

const debris = (): string[] => NODES.flatMap((n) => readdirSync(dirname(keystore(n))).filter((f) => f.includes('.hapki-')));

/**
 * Runs `body` with a small tmpfs (64 KiB) mounted over a host's directory, holding a copy of what
 * was there; what the tmpfs holds afterwards is copied back once it is unmounted.
 */
async function onTmpfs(dir: string, body: () => Promise<void>): Promise<void> {
  const saved = mkdtempSync(join(lab.ssh.dir, 'saved-'));
  cpSync(dir, saved, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', dir]);
  try {
    cpSync(saved, dir, { recursive: true });
    await body();
    rmSync(saved, { recursive: true });
    cpSync(dir, saved, { recursive: true });
  } finally {
    execFileSync('umount', [dir]);
  }
  cpSync(saved, dir, { recursive: true });
  rmSync(saved, { recursive: true });
}

function reset(): void {
  for (const f of readdirSync(local)) if (f.startsWith('ran-') || f.endsWith('.log')) rmSync(join(local, f), { force: true });
}

describe('apply rollout faults on two sshd hosts', () => {
  it('a restart: that fails stops the rollout with ERR_NODE_RESTART naming node and host; the rerun restarts the nodes owed', async () => {
    reset();
    writeCluster({ msas1: { restart: 'echo cannot restart >&2; exit 1' }, msas2: { restart: touch('msas2') } });
    const r = await hapki(['apply', clusterFile()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_NODE_RESTART'));
    expect(r.stderr).toContain('msas1');
    expect(r.stderr).toContain(`127.0.0.1:${port('msas1')}`);
    expect(r.stdout).not.toMatch(/msas2: restarted/);
    expect(existsSync(touched('msas2'))).toBe(false);
    // both restarts are owed: msas1 failed, msas2 was not reached
    expect(markers()).toEqual(['msas1', 'msas2']);
    const plan = await hapki(['plan', clusterFile()]);
    expect(plan.stdout).toContain('no changes');
    expect(plan.stdout).toMatch(/then restart 2 nodes/);
    expect(plan.stdout).toMatch(/^ {2}msas1: \(owed: /m);

    writeCluster({ msas1: { restart: touch('msas1') }, msas2: { restart: touch('msas2') } }, { sameNames: true });
    const rerun = await hapki(['apply', clusterFile()]);
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(progress(rerun.stdout)).toEqual(['msas1: restarted', 'msas2: restarted']);
    expect(markers()).toEqual([]);
    expect((await hapki(['plan', clusterFile()])).stdout).not.toContain('then restart');
  });

  it('a failed restart of the last node: the rerun with a fixed restart: restarts only that node, which passes its TLS check', async () => {
    reset();
    for (const name of NODES) lab.startEndpoint(name);
    writeCluster({ msas1: { restart: lab.restartCommand('msas1'), endpoint: true }, msas2: { restart: 'exit 3', endpoint: true } });
    const r = await hapki(['apply', clusterFile()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_NODE_RESTART'));
    expect(r.stderr).toContain(`msas2: restart: on ssh://root@127.0.0.1:${port('msas2')} exited 3`);
    expect(progress(r.stdout)).toEqual(['msas1: restarted', 'msas1: Pass']);
    expect(markers()).toEqual(['msas2']);
    const plan = await hapki(['plan', clusterFile()]);
    expect(plan.stdout).toMatch(/then restart 1 node,/);
    expect(plan.stdout).toMatch(/^ {2}msas2: \(owed: .*check 127\.0\.0\.1:\d+ presents the new certificate/m);

    writeCluster({ msas1: { restart: lab.restartCommand('msas1'), endpoint: true }, msas2: { restart: lab.restartCommand('msas2'), endpoint: true } }, { sameNames: true });
    const rerun = await hapki(['apply', clusterFile()]);
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(progress(rerun.stdout)).toEqual(['msas2: restarted', 'msas2: Pass']);
    expect(markers()).toEqual([]);
  });

  it('a restart: that hangs is bounded by restartTimeout: ERR_NODE_RESTART, the command returns', async () => {
    reset();
    writeCluster({ msas1: { restart: 'sleep 60' }, msas2: { restart: touch('msas2') } });
    const r = await hapki(['apply', clusterFile()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_NODE_RESTART'));
    expect(r.stderr).toContain('msas1');
    expect(existsSync(touched('msas2'))).toBe(false);
    writeCluster({ msas1: { restart: touch('msas1') }, msas2: { restart: touch('msas2') } }, { sameNames: true });
    expect((await hapki(['apply', clusterFile()])).code).toBe(0);
    expect(markers()).toEqual([]);
  });

  it('an endpoint that keeps presenting the old certificate fails its check with ERR_NODE_HEALTH naming the node; the rerun passes', async () => {
    reset();
    for (const name of NODES) lab.startEndpoint(name);
    // the restart: command does not restart the endpoint: it keeps the certificate it had
    writeCluster({ msas1: { restart: 'true', endpoint: true }, msas2: { restart: touch('msas2') } });
    const r = await hapki(['apply', clusterFile()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_NODE_HEALTH'));
    expect(r.stderr).toContain(`msas1: 127.0.0.1:${lab.endpoints.get('msas1')} did not pass its check within 5s: still presents the old certificate`);
    expect(existsSync(touched('msas2'))).toBe(false);
    writeCluster({ msas1: { restart: lab.restartCommand('msas1'), endpoint: true }, msas2: { restart: touch('msas2') } }, { sameNames: true });
    const rerun = await hapki(['apply', clusterFile()]);
    expect(rerun.stderr).toBe('');
    expect(progress(rerun.stdout)).toEqual(['msas1: restarted', 'msas1: Pass', 'msas2: restarted']);
  });

  it('before: and after: run locally around each restart, one node after the other', async () => {
    reset();
    const log = join(local, 'order.log');
    const say = (what: string): string => `echo ${what} >> ${log}`;
    // before:/after: see HAPKI_NODE, set only for the commands run here; restart: runs on the host
    const node = (name: NodeName): NodeSpec => ({ before: say('before-$HAPKI_NODE'), restart: say(`restart-${name}`), after: say('after-$HAPKI_NODE') });
    writeCluster({ msas1: node('msas1'), msas2: node('msas2') });
    const r = await hapki(['apply', clusterFile()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['before-msas1', 'restart-msas1', 'after-msas1', 'before-msas2', 'restart-msas2', 'after-msas2']);
  });

  it('a before: that fails stops the rollout with ERR_NODE_RESTART before that node restarts; the rerun finishes', async () => {
    reset();
    const log = join(local, 'order.log');
    writeCluster({ msas1: { before: 'echo drain refused >&2; exit 4', restart: `echo restart-msas1 >> ${log}` }, msas2: { restart: `echo restart-msas2 >> ${log}` } });
    const r = await hapki(['apply', clusterFile()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_NODE_RESTART'));
    expect(r.stderr).toContain('msas1: before: exited 4 (drain refused)');
    expect(existsSync(log)).toBe(false);
    writeCluster({ msas1: { before: 'true', restart: `echo restart-msas1 >> ${log}` }, msas2: { restart: `echo restart-msas2 >> ${log}` } }, { sameNames: true });
    const rerun = await hapki(['apply', clusterFile()]);
    expect(rerun.code).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['restart-msas1', 'restart-msas2']);
  });

  it('--batch 2 restarts both nodes at once', async () => {
    reset();
    const log = join(local, 'batch.log');
    // each restart: waits (up to 5 s) for the other to have started: one at a time, the first would time out
    const restart = (name: NodeName, other: NodeName): string =>
      `echo start-${name} >> ${log}; touch ${touched(name)}; i=0; while [ ! -f ${touched(other)} ] && [ $i -lt 80 ]; do sleep 0.05; i=$((i+1)); done; [ -f ${touched(other)} ] && echo end-${name} >> ${log}`;
    writeCluster({ msas1: { restart: restart('msas1', 'msas2') }, msas2: { restart: restart('msas2', 'msas1') } });
    const plan = await hapki(['plan', clusterFile(), '--json']);
    expect(JSON.parse(plan.stdout).restarts.map((x: { node: string }) => x.node)).toEqual(['msas1', 'msas2']);
    const r = await hapki(['apply', clusterFile(), '--batch', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.slice(0, 2).sort()).toEqual(['start-msas1', 'start-msas2']);
    expect(lines.slice(2).sort()).toEqual(['end-msas1', 'end-msas2']);
  });

  it('--no-restart writes the files, restarts nothing and owes nothing', async () => {
    reset();
    const before = fileDigest(keystore('msas2'));
    writeCluster({ msas1: { restart: touch('msas1') }, msas2: { restart: touch('msas2') } });
    const r = await hapki(['apply', clusterFile(), '--no-restart']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fileDigest(keystore('msas2'))).not.toBe(before);
    expect(r.stdout).not.toMatch(/restarted/);
    for (const name of NODES) expect(existsSync(touched(name)), name).toBe(false);
    expect(markers()).toEqual([]);
  });

  it('--parallel takes a whole number of hosts', async () => {
    const r = await hapki(['apply', clusterFile(), '--parallel', '0']);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    expect(r.stderr).toContain('--parallel needs a whole number of at least 1');
    writeCluster({ msas1: {}, msas2: {} });
    const one = await hapki(['apply', clusterFile(), '--parallel', '1']);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
  });

  it('the warning of a recovered interrupted change names remote files with their ssh:// host', async () => {
    writeCluster({ msas1: { restart: 'true' }, msas2: { restart: 'true' } });
    const killed = await hapki(['apply', clusterFile(), '--no-restart'], { env: { HAPKI_TEST_CRASH_AT: 'staged' } });
    expect(killed.code).not.toBe(0);
    const rerun = await hapki(['apply', clusterFile(), '--no-restart']);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(/hapki: warning: an interrupted change of .* was recovered/);
    for (const name of NODES) expect(rerun.stderr).toContain(`ssh://root@127.0.0.1:${port(name)}${keystore(name)}`);
  });

  it('apply over two hosts killed (SIGKILL) at each step of its change set: the rerun converges, nothing left on either host', async () => {
    for (const step of ['locked', 'staged', 'journal-written', 'journaled', 'renamed-1', 'renamed-2', 'committed']) {
      writeCluster({ msas1: {}, msas2: {} });
      const before = NODES.map((n) => fileDigest(keystore(n)));
      const killed = await hapki(['apply', clusterFile(), '--no-restart'], { env: { HAPKI_TEST_CRASH_AT: step } });
      expect(killed.code, step).not.toBe(0);
      const rerun = await hapki(['apply', clusterFile(), '--no-restart']);
      expect(rerun.code, `${step}: ${rerun.stderr}`).toBe(0);
      expect(rerun.stderr, step).not.toMatch(/ERR_/);
      // both nodes got their new certificate, whichever way the killed run had left them
      expect(NODES.map((n) => fileDigest(keystore(n))).filter((d, i) => d === before[i]), step).toEqual([]);
      const plan = await hapki(['plan', clusterFile()]);
      expect(plan.stdout, step).toContain('no changes');
      expect(debris(), step).toEqual([]);
    }
  });

  it('a full disk on one host: ERR_IO naming that host (not the token error), every file old on both hosts; the rerun with space finishes', async () => {
    reset();
    const dir = dirname(keystore('msas2'));
    await onTmpfs(dir, async () => {
      // what is left: room for the two lock files, none for the staged keystore
      const free = (): number => Number(statfsSync(dir).bavail * statfsSync(dir).bsize);
      writeFileSync(join(dir, 'filler'), Buffer.alloc(Math.max(0, free() - 2 * 4096)));
      writeCluster({ msas1: { restart: touch('msas1') }, msas2: { restart: touch('msas2') } }, { token: true });
      const before = NODES.map((n) => fileDigest(keystore(n)));
      const r = await hapki(['apply', clusterFile()]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
      expect(r.stderr).toContain(`ssh://root@127.0.0.1:${port('msas2')}${dir}/`);
      expect(r.stderr).not.toContain('ERR_TOKEN_DISTRIBUTE_FAILED');
      expect(NODES.map((n) => fileDigest(keystore(n)))).toEqual(before);
      expect(existsSync(join(local, LAB_LAYOUT.token.keystore))).toBe(false);
      expect(debris()).toEqual([]);
      expect(markers()).toEqual([]);
      rmSync(join(dir, 'filler'));
      const rerun = await hapki(['apply', clusterFile()]);
      expect(rerun.stderr).toBe('');
      expect(rerun.code).toBe(0);
      expect(NODES.map((n) => fileDigest(keystore(n)))).not.toEqual(before);
      expect(progress(rerun.stdout)).toEqual(['msas1: restarted', 'msas2: restarted']);
    });
    expect((await hapki(['plan', clusterFile()])).stdout).toContain('no changes');
  });

  it('a read-only filesystem on one host: token distribute says ERR_IO naming that host, not ERR_TOKEN_DISTRIBUTE_FAILED; nothing written; the rerun finishes', async () => {
    const S = LAB_LAYOUT;
    const token = join(local, 'ro-token.p12');
    const issued = await hapki(['token', 'issue', '--ca', join(local, S.ca.keystore), '--ca-storepass', `file:${join(local, S.ca.secret)}`, '--subject', 'CN=ro-token,O=Example', '--out', token, '--outpass', `file:${join(local, S.token.secret)}`]);
    expect(issued.code).toBe(0);
    const dir = dirname(keystore('msas2'));
    const distribute = (): Promise<Awaited<ReturnType<typeof hapki>>> =>
      hapki([
        'token', 'distribute', token, '--storepass', `file:${join(local, S.token.secret)}`, '--alias', 'rotoken',
        ...NODES.flatMap((n) => ['--to', `ssh://${lab.hostOf(n)}${keystore(n)}`]),
        '--to-storepass', `file:${join(local, S.msas1.secret)}`, '--known-hosts', lab.ssh.knownHosts, '--ssh-identity', lab.ssh.clientKey,
      ]);
    await onTmpfs(dir, async () => {
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      const before = NODES.map((n) => fileDigest(keystore(n)));
      const r = await distribute();
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
      expect(r.stderr).toContain(`ssh://root@127.0.0.1:${port('msas2')}${dir}/`);
      expect(r.stderr).not.toContain('ERR_TOKEN_DISTRIBUTE_FAILED');
      expect(NODES.map((n) => fileDigest(keystore(n)))).toEqual(before);
      execFileSync('mount', ['-o', 'remount,rw', dir]);
      const rerun = await distribute();
      expect(rerun.stderr).toBe('');
      expect(rerun.code).toBe(0);
      expect(NODES.map((n) => fileDigest(keystore(n))).every((d, i) => d !== before[i])).toBe(true);
    });
  });

  it('a keystore owned by another user, without sudo: ERR_SSH_PERMISSION naming the host, nothing written; with --sudo the rerun finishes', async () => {
    reset();
    const user = 'hapkiroll';
    const remove = createSudoUser(user);
    try {
      // msas2 is reached as an unprivileged user; its keystore stays root's, mode 0600
      execFileSync('chmod', ['0600', keystore('msas2')]);
      writeCluster({ msas1: { restart: 'true' }, msas2: { restart: 'true', host: `${user}@127.0.0.1:${port('msas2')}` } });
      const before = NODES.map((n) => fileDigest(keystore(n)));
      const r = await hapki(['apply', clusterFile()]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_PERMISSION'));
      expect(r.stderr).toContain(`ssh://${user}@127.0.0.1:${port('msas2')}: permission denied to read ${keystore('msas2')}`);
      expect(NODES.map((n) => fileDigest(keystore(n)))).toEqual(before);
      const rerun = await hapki(['apply', clusterFile(), '--sudo']);
      expect(rerun.stderr).toBe('');
      expect(rerun.code).toBe(0);
      expect(NODES.map((n) => fileDigest(keystore(n)))).not.toEqual(before);
      // rewritten in place: still root's, still 0600
      expect(execFileSync('stat', ['-c', '%U %a', keystore('msas2')]).toString().trim()).toBe('root 600');
      expect(markers()).toEqual([]);
    } finally {
      remove();
    }
  });
});
