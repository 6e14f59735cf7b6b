import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_LAYOUT } from '../../src/cluster/lab_layout.js';
import { hapki, type CliResult } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { createSshClusterLab, fileDigest, gatewayClusterYaml, type SshClusterLab } from '../helpers/ssh_cluster_lab.js';
import { tool } from '../helpers/tools.js';

/**
 * SIGKILL after a delay, wherever the process then is (reading, connecting, staging, renaming,
 * restarting), not at the named crash points the other kill tests stop at: `apply` of two nodes
 * whose keystores are on sshd hosts, and the three steps of a token rotation (`token distribute
 * --stage/--activate/--retire`) over the same ssh:// keystores. After each kill the operator does
 * what the README says (`hapki recover`, or the same command again); keytool then judges every
 * keystore old or new (never unreadable, never some of each), no hapki temp file (staged keys) is
 * left on any host, and the command run again reaches the described state.
 *
 * The delays here are fixed; HAPKI_KILL_SWEEP=<n> runs n kills at random delays instead, and
 * appends the outcome counts to HAPKI_KILL_SWEEP_LOG (the hand-run sweep the report quotes).
 */
const NODES = ['msas1', 'msas2'] as const;
type NodeName = (typeof NODES)[number];
const SWEEP = Number(process.env['HAPKI_KILL_SWEEP'] ?? '0');
const APPLY_DELAYS = [250, 600, 900, 1300, 1800, 2600];
const TOKEN_DELAYS = [200, 450, 700, 1000, 1400];
const delays = (fixed: number[], max: number): number[] => (SWEEP > 0 ? Array.from({ length: SWEEP }, () => Math.floor(Math.random() * max)) : fixed);

let lab: SshClusterLab;
let local: string;
let names = 0;

beforeAll(async () => {
  lab = await createSshClusterLab(NODES);
  local = lab.local;
}, 120_000);

afterAll(() => lab?.stop());

const keystore = (name: NodeName): string => lab.keystore(name);
const url = (name: NodeName): string => `ssh://${lab.hostOf(name)}${keystore(name)}`;
const clusterFile = (): string => join(local, 'cluster.yaml');
const sshFlags = (): string[] => ['--ssh-identity', lab.ssh.clientKey, '--known-hosts', lab.ssh.knownHosts];

function hapkiKilledAfter(args: readonly string[], delay: number, env: Record<string, string> = {}): Promise<CliResult & { killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'hapki.js'), ...args], { cwd: local, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, killed: signal === 'SIGKILL' });
    });
  });
}

/** hapki's files (staged contents, journals, locks, guards) under the operator's directory and each host's keystore directory. */
function debris(): string[] {
  const dirs = [local, ...NODES.map((n) => dirname(keystore(n)))];
  return dirs.flatMap((d) => (readdirSync(d, { recursive: true }) as string[]).filter((f) => /\.hapki-/.test(f)).map((f) => join(d, f)));
}

/** keytool's listing: alias -> SHA-256 fingerprint; keytool failing to read the store fails the test. */
async function keytoolEntries(file: string, password: string): Promise<Map<string, string>> {
  const r = await tool('keytool', ['-J-Duser.language=en', '-list', '-keystore', file, '-storepass', password]);
  expect(r.code, `keytool -list ${file}: ${r.stdout}${r.stderr}`).toBe(0);
  const entries = new Map<string, string>();
  let alias = '';
  for (const line of r.stdout.split('\n')) {
    const entry = /^([^,]+), [^,]+, [^,]+, (PrivateKeyEntry|trustedCertEntry),/.exec(line);
    if (entry) alias = entry[1]!;
    const fp = /^Certificate fingerprint \(SHA-256\): (\S+)/.exec(line);
    if (fp && alias) entries.set(alias, fp[1]!);
  }
  return entries;
}

/** keytool -list -v of the node's server entry: the DNS names of its certificate. */
async function serverNames(name: NodeName): Promise<string[]> {
  const r = await tool('keytool', ['-J-Duser.language=en', '-list', '-v', '-keystore', keystore(name), '-storepass', lab.secret(name), '-alias', LAB_LAYOUT[name].alias]);
  expect(r.code, `keytool -list -v ${keystore(name)}: ${r.stdout}${r.stderr}`).toBe(0);
  return [...r.stdout.matchAll(/DNSName: (\S+)/g)].map((m) => m[1]!);
}

/** A cluster file whose two nodes need a certificate with a new name (`v<n>.example.com`), and the token on both. */
function writeCluster(): string {
  names++;
  const L = LAB_LAYOUT;
  const node = (name: NodeName): string =>
    [
      `    - name: ${name}`,
      `      host: ${lab.hostOf(name)}`,
      `      keystore: ${keystore(name)}`,
      `      password: file:${L[name].secret}`,
      `      alias: ${L[name].alias}`,
      `      hostnames: [${name}.example.com, v${names}.example.com]`,
      '      restart: "true"',
    ].join('\n');
  writeFileSync(clusterFile(), gatewayClusterYaml(lab, [node('msas1'), node('msas2')], { token: true }));
  return `v${names}.example.com`;
}

/** Outcomes per command: finished before the kill, judged old or new after recover, rerun without judging. */
const tallies = new Map<string, Record<string, number>>();
function count(what: string, outcome: 'finished' | 'old' | 'new' | 'rerun'): void {
  const t = tallies.get(what) ?? {};
  t[outcome] = (t[outcome] ?? 0) + 1;
  tallies.set(what, t);
}
afterAll(() => {
  const log = process.env['HAPKI_KILL_SWEEP_LOG'];
  if (SWEEP > 0 && log) appendFileSync(log, `${new Date().toISOString()} ${JSON.stringify(Object.fromEntries(tallies))}\n`);
});

describe('SIGKILL after a delay, then what the README says to do next', () => {
  it('apply over two ssh:// nodes: every keystore old or new after recover, nothing left, the rerun converges', async () => {
    // the first apply of this lab issues the token; from then on each round is a new name for both nodes
    expect((await hapki(['apply', (writeCluster(), clusterFile())], { cwd: local })).code).toBe(0);
    let round = 0;
    for (const delay of delays(APPLY_DELAYS, 4000)) {
      round++;
      const name = writeCluster();
      const before = NODES.map((n) => fileDigest(keystore(n)));
      const killed = await hapkiKilledAfter(['apply', clusterFile()], delay);
      const at = `round ${round}, killed after ${delay} ms`;
      if (!killed.killed) {
        expect(killed.code, `${at}: ${killed.stderr}`).toBe(0);
        count('apply', 'finished');
      } else if (round % 2 === 1) {
        // recover first (README: `hapki recover <cluster.yaml>`), judge, then run apply again
        const recovered = await hapki(['recover', clusterFile()], { cwd: local });
        expect(recovered.code, `${at}: ${recovered.stderr}`).toBe(0);
        expect(debris(), at).toEqual([]);
        const states = await Promise.all(
          NODES.map(async (n, i) => {
            await keytoolEntries(keystore(n), lab.secret(n));
            if (fileDigest(keystore(n)) === before[i]) return 'old';
            expect(await serverNames(n), `${at}: ${n} neither its old bytes nor the new certificate`).toContain(name);
            return 'new';
          }),
        );
        // one change set over both hosts: both old or both new
        expect(new Set(states).size, `${at}: ${states.join(' ')}`).toBe(1);
        count('apply', states[0] as 'old' | 'new');
      } else {
        count('apply', 'rerun');
      }
      const rerun = await hapki(['apply', clusterFile()], { cwd: local });
      expect(rerun.code, `${at}: ${rerun.stderr}`).toBe(0);
      expect(rerun.stderr.split('\n').filter((l) => /ERR_/.test(l)), at).toEqual([]);
      for (const n of NODES) {
        expect(await serverNames(n), `${at}: ${n}`).toContain(name);
        expect([...(await keytoolEntries(keystore(n), lab.secret(n))).keys()], at).toEqual(expect.arrayContaining([LAB_LAYOUT[n].alias, 'token']));
      }
      expect(debris(), at).toEqual([]);
      const plan = await hapki(['plan', clusterFile()], { cwd: local });
      expect(plan.stdout, `${at}: ${plan.stdout}`).toContain('no changes');
    }
  }, Math.max(900_000, SWEEP * 40_000));

  it('token rotation (stage, activate, retire) over two ssh:// keystores: both before or both after, nothing left, the rerun converges', async () => {
    const env = { TOKENPASS: 'tokenpass', STOREPASS: lab.secret('msas1') };
    expect(lab.secret('msas2')).toBe(env.STOREPASS);
    const to = NODES.flatMap((n) => ['--to', url(n)]);
    let generation = 0;
    const fingerprints = new Map<number, string>();
    const issue = async (): Promise<void> => {
      generation++;
      const out = join(local, `token-${generation}.p12`);
      const r = await hapki(['token', 'issue', '--self-signed', '--subject', `CN=token-${generation}`, '--kty', 'ec', '--out', out, '--outpass', 'env:TOKENPASS'], { env, cwd: local });
      expect(r.code, r.stderr).toBe(0);
      fingerprints.set(generation, (await keytoolEntries(out, 'tokenpass')).get('token')!);
    };
    const stepArgs = (flag: string): string[] => ['token', 'distribute', ...(flag === '--retire' ? ['--alias', 'token'] : [join(local, `token-${generation}.p12`), '--storepass', 'env:TOKENPASS']), ...to, '--to-storepass', 'env:STOREPASS', ...sshFlags(), flag];
    /** What each keystore holds of the token, by generation: key, next, previous. */
    const state = async (): Promise<string[]> => {
      const gen = (fp: string | undefined): string => (fp === undefined ? '-' : String([...fingerprints].find(([, f]) => f === fp)?.[0] ?? 'other'));
      return Promise.all(
        NODES.map(async (n) => {
          const e = await keytoolEntries(keystore(n), env.STOREPASS);
          return `key=${gen(e.get('token'))} next=${gen(e.get('token-next'))} previous=${gen(e.get('token-previous'))}`;
        }),
      );
    };
    // the token the apply test installed, then a first generation of our own, installed as the active token
    await issue();
    expect((await hapki(['token', 'distribute', join(local, 'token-1.p12'), '--storepass', 'env:TOKENPASS', ...to, '--to-storepass', 'env:STOREPASS', ...sshFlags()], { env, cwd: local })).code).toBe(0);
    const steps = ['--stage', '--activate', '--retire'] as const;
    const expected = (flag: (typeof steps)[number], g: number): string =>
      flag === '--stage' ? `key=${g - 1} next=${g} previous=-` : flag === '--activate' ? `key=${g} next=- previous=${g - 1}` : `key=${g} next=- previous=-`;
    const beforeOf = (flag: (typeof steps)[number], g: number): string => (flag === '--stage' ? `key=${g - 1} next=- previous=-` : flag === '--activate' ? expected('--stage', g) : expected('--activate', g));
    let round = 0;
    for (const delay of delays(TOKEN_DELAYS, 2500)) {
      const flag = steps[round % 3]!;
      if (flag === '--stage') await issue();
      round++;
      const at = `round ${round} (${flag}), killed after ${delay} ms`;
      const before = beforeOf(flag, generation);
      const after = expected(flag, generation);
      expect(await state(), at).toEqual([before, before]);
      const killed = await hapkiKilledAfter(stepArgs(flag), delay, env);
      if (!killed.killed) {
        expect(killed.code, `${at}: ${killed.stderr}`).toBe(0);
        count('token', 'finished');
      } else if (round % 2 === 1) {
        for (const n of NODES) {
          const recovered = await hapki(['recover', `ssh://${lab.hostOf(n)}${dirname(keystore(n))}`, ...sshFlags()], { cwd: local });
          expect(recovered.code, `${at}: ${recovered.stderr}`).toBe(0);
        }
        expect(debris(), at).toEqual([]);
        const found = await state();
        expect([JSON.stringify([before, before]), JSON.stringify([after, after])], `${at}: ${JSON.stringify(found)}`).toContain(JSON.stringify(found));
        count('token', found[0] === after ? 'new' : 'old');
      } else {
        count('token', 'rerun');
      }
      const rerun = await hapki(stepArgs(flag), { env, cwd: local });
      expect(rerun.code, `${at}: ${rerun.stderr}`).toBe(0);
      expect(await state(), at).toEqual([after, after]);
      expect(debris(), at).toEqual([]);
      const check = await hapki(['token', 'check', ...to, '--to-storepass', 'env:STOREPASS', ...sshFlags()], { env, cwd: local });
      expect(check.code, `${at}: ${check.stdout}${check.stderr}`).toBe(0);
    }
  }, Math.max(900_000, SWEEP * 40_000));
});
