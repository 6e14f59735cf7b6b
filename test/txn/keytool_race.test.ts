import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES } from '../helpers/fixtures.js';
import { fileDigest } from '../helpers/ssh_cluster_lab.js';
import { createSshLab, type SshHost, type SshLab } from '../helpers/sshd.js';
import { hapkiStoppedAt } from '../helpers/stopped_at.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

/**
 * Writers that take no lock (keytool) racing hapki: a change keytool makes after hapki read the
 * keystore under its lock, and before hapki's rename, is never replaced by content computed
 * without it. hapki stops at the step (HAPKI_TEST_STOP_AT) while keytool writes, then goes on:
 * ERR_CONCURRENT_CHANGE, every file as keytool left it, nothing of hapki's left; keytool -list
 * judges. Before, the staged content (read before keytool's write) was renamed over the file and
 * keytool's entry was lost without a word. Also several hapki imports into one keystore over SSH
 * at once: every alias lands.
 */
const env = { STOREPASS: FIXTURE_PASSWORD, TOKENPASS: 'tokenpass' };
let lab: SshLab;
let host: SshHost;
let work: string;

beforeAll(async () => {
  work = tempDir('hapki-keytool-race-');
  for (let i = 0; i < 4; i++) {
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(work, `c${i}.key`), '-subj', `/CN=race-${i}`, '-days', '2', '-out', join(work, `c${i}.pem`)]);
  }
  const issued = await hapki(['token', 'issue', '--self-signed', '--subject', 'CN=race-token', '--kty', 'ec', '--out', join(work, 'token.p12'), '--outpass', 'env:TOKENPASS'], { env });
  expect(issued.code, issued.stderr).toBe(0);
  lab = createSshLab();
  host = await lab.addHost('race');
}, 120_000);

afterAll(() => lab?.stop());

const aliases = async (file: string): Promise<string[]> =>
  [...(await keytool(['-list', '-keystore', file, '-storepass', FIXTURE_PASSWORD])).stdout.matchAll(/^([^,\n]+), [^,]+, [^,]+, (?:PrivateKeyEntry|trustedCertEntry),/gm)].map((m) => m[1]!).sort();
const keytoolImport = (file: string, alias: string, cert: string): void =>
  void execFileSync('keytool', ['-J-Duser.language=en', '-importcert', '-noprompt', '-keystore', file, '-storepass', FIXTURE_PASSWORD, '-alias', alias, '-file', cert], { stdio: 'ignore' });
const debris = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('.hapki-'));

describe.each(['local', 'ssh'] as const)('keytool writing between hapki\'s read and its rename (%s)', (where) => {
  function storesIn(name: string, count: number): { dir: string; files: string[]; args: string[]; flags: string[] } {
    const dir = where === 'local' ? join(work, `${name}-${Math.random().toString(16).slice(2)}`) : join(host.root, 'srv', `${name}-${Math.random().toString(16).slice(2)}`);
    mkdirSync(dir, { recursive: true });
    const files = Array.from({ length: count }, (_, i) => join(dir, `gw${i}.jks`));
    for (const f of files) copyFileSync(join(FIXTURES, 'gateway.jks'), f);
    const args = files.map((f) => (where === 'local' ? f : `ssh://root@127.0.0.1:${host.port}${f}`));
    const flags = where === 'local' ? [] : ['--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey];
    return { dir, files, args, flags };
  }

  it('import: keytool\'s entry is kept and hapki\'s refused with ERR_CONCURRENT_CHANGE; the rerun adds it beside keytool\'s', async () => {
    const { dir, files, args, flags } = storesIn('import', 1);
    const before = await aliases(files[0]!);
    const run = await hapkiStoppedAt(['import', args[0]!, '--trusted', join(work, 'c0.pem'), '--alias', 'by-hapki', '--storepass', 'env:STOREPASS', ...flags], 'staged', () => keytoolImport(files[0]!, 'by-keytool', join(work, 'c1.pem')), env);
    expect(run.acted).toBe(true);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(ONE_LINE_ERROR('ERR_CONCURRENT_CHANGE'));
    expect(await aliases(files[0]!)).toEqual([...before, 'by-keytool'].sort());
    expect(debris(dir)).toEqual([]);
    const again = await hapki(['import', args[0]!, '--trusted', join(work, 'c0.pem'), '--alias', 'by-hapki', '--storepass', 'env:STOREPASS', ...flags], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(await aliases(files[0]!)).toEqual([...before, 'by-hapki', 'by-keytool'].sort());
  });

  it('token distribute over two keystores, keytool writing the second once the journal is written: neither replaced, no journal left', async () => {
    const { dir, files, args, flags } = storesIn('distribute', 2);
    const first = fileDigest(files[0]!);
    const before = await aliases(files[1]!);
    const run = await hapkiStoppedAt(['token', 'distribute', join(work, 'token.p12'), '--storepass', 'env:TOKENPASS', ...args.flatMap((a) => ['--to', a]), '--to-storepass', 'env:STOREPASS', ...flags], 'journaled', () => keytoolImport(files[1]!, 'by-keytool', join(work, 'c2.pem')), env);
    expect(run.acted).toBe(true);
    expect(run.stderr).toMatch(/ERR_CONCURRENT_CHANGE/);
    expect(run.stderr).not.toMatch(/ERR_INTERNAL/);
    expect(run.code).not.toBe(0);
    expect(fileDigest(files[0]!)).toBe(first);
    expect(await aliases(files[1]!)).toEqual([...before, 'by-keytool'].sort());
    expect(debris(dir)).toEqual([]);
    const recovered = await hapki(['recover', where === 'local' ? dir : `ssh://root@127.0.0.1:${host.port}${dir}`, ...flags]);
    expect(recovered.stdout).toContain('nothing to recover');
  });

  it('a keystore keytool creates where there was none: hapki\'s new file does not replace it', async () => {
    const { dir, args, flags } = storesIn('create', 0);
    const file = join(dir, 'new.jks');
    const arg = where === 'local' ? file : `ssh://root@127.0.0.1:${host.port}${file}`;
    const run = await hapkiStoppedAt(['import', arg, '--trusted', join(work, 'c0.pem'), '--alias', 'by-hapki', '--storepass', 'env:STOREPASS', ...flags], 'staged', () => keytoolImport(file, 'by-keytool', join(work, 'c1.pem')), env);
    expect(args).toEqual([]);
    expect(run.acted).toBe(true);
    expect(run.stderr).toMatch(ONE_LINE_ERROR('ERR_CONCURRENT_CHANGE'));
    expect(await aliases(file)).toEqual(['by-keytool']);
    expect(debris(dir)).toEqual([]);
  });

  it('four hapki imports into one keystore at once, 3 rounds: every alias lands, keytool lists them', async () => {
    const { dir, files, args, flags } = storesIn('together', 1);
    const expected = await aliases(files[0]!);
    for (let round = 0; round < 3; round++) {
      const names = [0, 1, 2, 3].map((i) => `r${round}-p${i}`);
      const runs = await Promise.all(names.map((alias, i) => hapki(['import', args[0]!, '--alias', alias, '--trusted', join(work, `c${i}.pem`), '--storepass', 'env:STOREPASS', ...flags], { env })));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      expected.push(...names);
      expect(await aliases(files[0]!), `round ${round}`).toEqual([...expected].sort());
    }
    expect(debris(dir)).toEqual([]);
  }, 300_000);
});
