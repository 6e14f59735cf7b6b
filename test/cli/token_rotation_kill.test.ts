import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/digest.js';
import type { KeystoreFormat } from '../../src/keystore/model.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { installToken } from '../../src/token/rotation.js';
import { tokenState } from '../../src/token/token_state.js';
import { hapki, ONE_LINE_ERROR, type CliResult } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';
import { instanceStore, tokenMaterial } from '../token/fixtures.js';

// A whole rotation (stage, activate, retire) over three instances of three formats, each step
// SIGKILLed at every point of its change set: after `hapki recover` every instance is all before
// the step or all after it, never some of each, and running the step again converges. An instance
// with another password, or one that is gone, stops the step for the whole group: the group moves
// together or not at all.

const root = tempDir('hapki-token-rotation-');
const env = { STOREPASS: 'changeit', TOKENPASS: 'tokenpass' };
const files: [string, KeystoreFormat][] = [['n1.jks', 'JKS'], ['n2.p12', 'PKCS12'], ['n3.jceks', 'JCEKS']];
const live = join(root, 'live');
let oldSha = '';
let newSha = '';

function hapkiKilled(args: readonly string[], extraEnv: Record<string, string>): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'hapki.js'), ...args], { env: { PATH: process.env['PATH'] ?? '', ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, stdout, stderr, signal }));
  });
}

const to = (dir: string): string[] => files.flatMap(([f]) => ['--to', join(dir, f)]);
const step = (flag: string, dir: string, extraEnv: Record<string, string> = {}) =>
  hapkiKilled(['token', 'distribute', ...(flag === '--retire' ? [] : [join(root, 'new.p12'), '--storepass', 'env:TOKENPASS']), ...to(dir), '--to-storepass', 'env:STOREPASS', flag], extraEnv);

/** What each instance holds of the token: key entry, staged and previous copies, as short names. */
async function states(dir: string): Promise<string[]> {
  const name = (sha?: string): string => (sha === undefined ? '-' : sha === oldSha ? 'old' : sha === newSha ? 'new' : 'other');
  return Promise.all(
    files.map(async ([f]) => {
      const s = tokenState(await readKeystore(readFileSync(join(dir, f)), { password: 'changeit' }), 'token');
      return `key=${name(s.key?.sha256)} next=${name(s.next?.sha256)} previous=${name(s.previous?.sha256)}`;
    }),
  );
}
const debris = (dir: string): string[] => (readdirSync(dir) as string[]).filter((f) => /\.hapki-/.test(f));
const reset = (from: string): void => {
  rmSync(live, { recursive: true, force: true });
  cpSync(from, live, { recursive: true });
};

const BEFORE_STAGE = 'key=old next=- previous=-';
const STAGED = 'key=old next=new previous=-';
const ACTIVE = 'key=new next=- previous=old';
const RETIRED = 'key=new next=- previous=-';

beforeAll(async () => {
  const old = await tokenMaterial('CN=old-token');
  oldSha = sha256Hex(old.chain[0]!);
  const issued = await hapki(['token', 'issue', '--self-signed', '--subject', 'CN=new-token', '--kty', 'ec', '--out', join(root, 'new.p12'), '--outpass', 'env:TOKENPASS'], { env });
  expect(issued.code, issued.stderr).toBe(0);
  const store = await readKeystore(readFileSync(join(root, 'new.p12')), { password: 'tokenpass' });
  newSha = sha256Hex(store.entries[0]!.type === 'private-key' ? store.entries[0]!.chain[0]! : new Uint8Array());
  // three snapshots of the group: before staging, staged, activated
  for (const [f, format] of files) {
    writeFileSync(join(root, f), await writeKeystore(installToken(await instanceStore(format, f), old, 'token').store, { password: 'changeit' }));
  }
  for (const dir of ['before', 'staged', 'active']) {
    mkdirSync(join(root, dir));
    for (const [f] of files) cpSync(join(root, f), join(root, dir, f));
  }
  expect(await states(join(root, 'before'))).toEqual([BEFORE_STAGE, BEFORE_STAGE, BEFORE_STAGE]);
  expect((await step('--stage', join(root, 'staged'))).code).toBe(0);
  expect(await states(join(root, 'staged'))).toEqual([STAGED, STAGED, STAGED]);
  for (const [f] of files) cpSync(join(root, 'staged', f), join(root, 'active', f));
  expect((await step('--activate', join(root, 'active'))).code).toBe(0);
  expect(await states(join(root, 'active'))).toEqual([ACTIVE, ACTIVE, ACTIVE]);
}, 120_000);

const POINTS = ['staged', 'journaled', 'renamed-1', 'renamed-2', 'committed'];
const STEPS = [
  ['--stage', 'before', BEFORE_STAGE, STAGED],
  ['--activate', 'staged', STAGED, ACTIVE],
  ['--retire', 'active', ACTIVE, RETIRED],
] as const;

describe('token rotation killed at every point of each step', () => {
  for (const [flag, from, before, after] of STEPS) {
    it(`${flag}: all instances before or all after, and a rerun converges`, async () => {
      for (const point of POINTS) {
        reset(join(root, from));
        const killed = await step(flag, live, { HAPKI_TEST_CRASH_AT: point });
        expect(killed.signal, `${flag} ${point}: ${killed.stderr}`).toBe('SIGKILL');
        const recovered = await hapki(['recover', live]);
        expect(recovered.code, recovered.stderr).toBe(0);
        const found = await states(live);
        expect([JSON.stringify([before, before, before]), JSON.stringify([after, after, after])], `${flag} killed at ${point}: ${JSON.stringify(found)}`).toContain(JSON.stringify(found));
        expect(debris(live)).toEqual([]);
        const rerun = await step(flag, live);
        expect(rerun.code, rerun.stderr).toBe(0);
        expect(await states(live)).toEqual([after, after, after]);
        const check = await hapki(['token', 'check', ...to(live), '--to-storepass', 'env:STOREPASS'], { env });
        expect(check.code, check.stdout).toBe(0);
      }
    }, 300_000);
  }
});

describe('an instance the step cannot take stops it for the whole group', () => {
  it('another password on one instance mid-rotation: nothing written anywhere, the failure named', async () => {
    reset(join(root, 'staged'));
    const bytes = files.map(([f]) => readFileSync(join(live, f)));
    const r = await hapkiKilled(['token', 'distribute', join(root, 'new.p12'), '--storepass', 'env:TOKENPASS', ...to(live), '--to-storepass', 'env:STOREPASS', '--storepass-for', `${join(live, 'n3.jceks')}=env:WRONG`, '--activate'], { WRONG: 'not-the-password' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_TOKEN_DISTRIBUTE_FAILED'));
    expect(r.stderr).toContain('n3.jceks');
    files.forEach(([f], i) => expect(readFileSync(join(live, f)).equals(bytes[i]!), f).toBe(true));
    expect(await states(live)).toEqual([STAGED, STAGED, STAGED]);
  });

  it('an instance that is gone: nothing written anywhere; retire before every instance is active is refused', async () => {
    reset(join(root, 'staged'));
    const bytes = files.map(([f]) => readFileSync(join(live, f)));
    const r = await hapkiKilled(['token', 'distribute', join(root, 'new.p12'), '--storepass', 'env:TOKENPASS', ...to(live), '--to', join(live, 'n4-gone.p12'), '--to-storepass', 'env:STOREPASS', '--activate'], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('n4-gone.p12');
    files.forEach(([f], i) => expect(readFileSync(join(live, f)).equals(bytes[i]!), f).toBe(true));
    // n1 activated alone (as by a run given one instance), the others still staged: retiring the group is refused
    expect((await hapkiKilled(['token', 'distribute', join(root, 'new.p12'), '--storepass', 'env:TOKENPASS', '--to', join(live, 'n1.jks'), '--to-storepass', 'env:STOREPASS', '--activate'], {})).code).toBe(0);
    const retire = await step('--retire', live);
    expect(retire.code).toBe(1);
    expect(retire.stderr).toMatch(/activate everywhere before retiring/);
    expect(await states(live)).toEqual([ACTIVE, STAGED, STAGED]);
    // and token check names the two behind
    const check = await hapki(['token', 'check', ...to(live), '--to-storepass', 'env:STOREPASS', '--json'], { env });
    expect(check.code).toBe(1);
    expect((JSON.parse(check.stdout) as { instances: { name: string; status: string }[] }).instances.map((i) => i.status)).toEqual(['differs', 'ok', 'ok']);
  });
});
