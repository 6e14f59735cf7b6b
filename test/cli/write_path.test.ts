import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/digest.js';
import { createLab } from '../../src/cluster/create_lab.js';
import { LAB_LAYOUT } from '../../src/cluster/lab_layout.js';
import { loadClusterFile } from '../../src/cluster/load_cluster_file.js';
import { planCluster } from '../../src/cluster/plan_cluster.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { tokenState } from '../../src/token/token_state.js';
import { instanceStore } from '../token/fixtures.js';
import { hapki, ONE_LINE_ERROR, type CliResult } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

const root = tempDir('hapki-write-path-');
const env = { STOREPASS: 'changeit', TOKENPASS: 'tokenpass' };

/** Every hapki temp, lock or journal left under dir. */
const debris = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.hapki-/.test(f));

/** Runs the built CLI, killed with SIGKILL after `killAfterMs` if still running. */
function hapkiKilled(args: readonly string[], extraEnv: Record<string, string>, killAfterMs?: number): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'hapki.js'), ...args], { env: { PATH: process.env['PATH'] ?? '', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, signal });
    });
  });
}

describe('concurrent hapki processes on one keystore', () => {
  it('4 imports started together, 20 rounds: every alias is there, keytool lists the file', async () => {
    const dir = join(root, 'concurrent');
    mkdirSync(dir);
    const ks = join(dir, 'shared.jks');
    await keytool(['-genkeypair', '-keystore', ks, '-storepass', 'changeit', '-keypass', 'changeit', '-alias', 'own', '-dname', 'CN=own', '-keyalg', 'EC', '-groupname', 'secp256r1']);
    const ROUNDS = 20;
    const certs: string[] = [];
    for (let i = 0; i < 4; i++) {
      const pem = join(dir, `c${i}.pem`);
      await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, `c${i}.key`), '-subj', `/CN=concurrent-${i}`, '-days', '2', '-out', pem]);
      certs.push(pem);
    }
    const expected = ['own'];
    for (let round = 0; round < ROUNDS; round++) {
      const aliases = certs.map((_, i) => `r${round}-p${i}`);
      const runs = await Promise.all(aliases.map((alias, i) => hapki(['import', ks, '--alias', alias, '--trusted', certs[i]!, '--storepass', 'env:STOREPASS'], { env })));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      expected.push(...aliases);
      const store = await readKeystore(readFileSync(ks), { password: 'changeit' });
      expect(store.entries.map((e) => e.alias).sort(), `round ${round}`).toEqual([...expected].sort());
    }
    const listing = await keytool(['-list', '-keystore', ks, '-storepass', 'changeit']);
    expect(listing.stdout).toContain(`Your keystore contains ${expected.length} entries`);
    expect(debris(dir)).toEqual([]);
  }, 600_000);

  it('csr --new-key beside imports, started together: every new key and every import lands; each request is for its entry\'s key', async () => {
    const dir = join(root, 'concurrent-new-key');
    mkdirSync(dir);
    const ks = join(dir, 'gateway.jks');
    await keytool(['-genkeypair', '-keystore', ks, '-storepass', 'changeit', '-keypass', 'changeit', '-alias', 'own', '-dname', 'CN=own', '-keyalg', 'EC', '-groupname', 'secp256r1']);
    const cert = join(dir, 'peer.pem');
    await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'peer.key'), '-subj', '/CN=peer', '-days', '2', '-out', cert]);
    const expected = ['own'];
    for (let round = 0; round < 3; round++) {
      const keys = [0, 1, 2].map((i) => `k${round}-${i}`);
      const trusted = [0, 1].map((i) => `t${round}-${i}`);
      const runs = await Promise.all([
        ...keys.map((alias) => hapki(['csr', '--new-key', '--kty', 'ec', '--subject', `CN=${alias}.example.com`, '--keystore', ks, '--alias', alias, '--storepass', 'env:STOREPASS', '--out', join(dir, `${alias}.csr`)], { env })),
        ...trusted.map((alias) => hapki(['import', ks, '--alias', alias, '--trusted', cert, '--storepass', 'env:STOREPASS'], { env })),
      ]);
      // a change that raced another is read again under the lock, never refused (ERR_CONCURRENT_CHANGE) nor lost
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      expected.push(...keys, ...trusted);
      const store = await readKeystore(readFileSync(ks), { password: 'changeit' });
      expect(store.entries.map((e) => e.alias).sort(), `round ${round}`).toEqual([...expected].sort());
      for (const alias of keys) {
        const fromCsr = (await openssl(['req', '-in', join(dir, `${alias}.csr`), '-noout', '-pubkey'])).stdout;
        const fromStore = (await keytool(['-exportcert', '-rfc', '-alias', alias, '-keystore', ks, '-storepass', 'changeit'])).stdout;
        writeFileSync(join(dir, 'entry.pem'), fromStore);
        expect((await openssl(['x509', '-in', join(dir, 'entry.pem'), '-noout', '-pubkey'])).stdout, alias).toBe(fromCsr);
      }
    }
    expect((await keytool(['-list', '-keystore', ks, '-storepass', 'changeit'])).stdout).toContain(`Your keystore contains ${expected.length} entries`);
    expect(debris(dir)).toEqual([]);
  }, 300_000);
});

describe('SIGKILL of token distribute (3 instances), then hapki recover', () => {
  const dir = join(root, 'token');
  const pristine = join(root, 'token-pristine');
  const files = ['n1.jks', 'n2.p12', 'n3.p12'];
  let tokenSha = '';
  let fullRunMs = 0;

  beforeAll(async () => {
    mkdirSync(pristine);
    for (const f of files) writeFileSync(join(pristine, f), await writeKeystore(await instanceStore(f.endsWith('.jks') ? 'JKS' : 'PKCS12', f), { password: 'changeit' }), { mode: 0o640 });
    const issued = await hapki(['token', 'issue', '--self-signed', '--subject', 'CN=crash-token', '--kty', 'ec', '--out', join(root, 'token.p12'), '--outpass', 'env:TOKENPASS'], { env });
    expect(issued.code, issued.stderr).toBe(0);
    const store = await readKeystore(readFileSync(join(root, 'token.p12')), { password: 'tokenpass' });
    tokenSha = sha256Hex(store.entries[0]!.type === 'private-key' ? store.entries[0]!.chain[0]! : new Uint8Array());
    const started = Date.now();
    reset();
    const r = await distribute({});
    expect(r.code, r.stderr).toBe(0);
    fullRunMs = Date.now() - started;
  }, 120_000);

  const reset = (): void => {
    rmSync(dir, { recursive: true, force: true });
    cpSync(pristine, dir, { recursive: true });
  };
  const distribute = (extraEnv: Record<string, string>, killAfterMs?: number) =>
    hapkiKilled(['token', 'distribute', join(root, 'token.p12'), '--storepass', 'env:TOKENPASS', ...files.flatMap((f) => ['--to', join(dir, f)]), '--to-storepass', 'env:STOREPASS'], { ...env, ...extraEnv }, killAfterMs);
  const states = async (): Promise<(string | undefined)[]> =>
    Promise.all(files.map(async (f) => tokenState(await readKeystore(readFileSync(join(dir, f)), { password: 'changeit' }), 'token').key?.sha256));

  const check = async (label: string, interopCheck: boolean): Promise<void> => {
    const recovered = await hapki(['recover', dir]);
    expect(recovered.code, recovered.stderr).toBe(0);
    const found = await states();
    // all old (no token anywhere) or all new (the token everywhere)
    expect([JSON.stringify([undefined, undefined, undefined]), JSON.stringify([tokenSha, tokenSha, tokenSha])], `${label}: ${JSON.stringify(found)}`).toContain(JSON.stringify(found));
    expect(debris(dir), label).toEqual([]);
    if (interopCheck) {
      for (const f of files) await keytool(['-list', '-keystore', join(dir, f), '-storepass', 'changeit']);
      for (const f of files.filter((x) => x.endsWith('.p12'))) await openssl(['pkcs12', '-in', join(dir, f), '-passin', 'pass:changeit', '-nokeys', '-out', '/dev/null']);
    }
    const rerun = await distribute({});
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await states()).toEqual([tokenSha, tokenSha, tokenSha]);
  };

  it.each(['locked', 'staged', 'journaled', 'renamed-1', 'renamed-2', 'committed'])('killed at %s', async (step) => {
    reset();
    const r = await distribute({ HAPKI_TEST_CRASH_AT: step });
    expect(r.signal).toBe('SIGKILL');
    await check(step, step === 'renamed-1' || step === 'renamed-2');
  }, 120_000);

  it('killed part way, then the same command again without hapki recover: it settles the killed change first and succeeds', async () => {
    reset();
    const r = await distribute({ HAPKI_TEST_CRASH_AT: 'renamed-1' });
    expect(r.signal).toBe('SIGKILL');
    // a dry run writes nothing, not even the recovery: what the kill left stays for the real run
    const left = debris(dir).sort();
    const dry = await hapkiKilled(['token', 'distribute', join(root, 'token.p12'), '--storepass', 'env:TOKENPASS', ...files.flatMap((f) => ['--to', join(dir, f)]), '--to-storepass', 'env:STOREPASS', '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(debris(dir).sort()).toEqual(left);
    const rerun = await distribute({});
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain('was recovered: finished it');
    expect(await states()).toEqual([tokenSha, tokenSha, tokenSha]);
    expect(debris(dir)).toEqual([]);
  }, 120_000);

  it('killed at random moments (4 runs)', async () => {
    for (let i = 0; i < 4; i++) {
      reset();
      const delay = Math.floor(Math.random() * fullRunMs);
      await distribute({}, delay);
      await check(`killed after ${delay} ms of ${fullRunMs}`, i === 0);
    }
  }, 300_000);
});

describe('SIGKILL of apply on the lab, then hapki recover', () => {
  const pristine = join(root, 'lab-pristine');
  const labDir = join(root, 'lab');
  let pristineHashes = new Map<string, string | null>();
  let changedByApply: string[] = [];
  let pristineSteps = '';
  let fullRunMs = 0;

  const hashes = (dir: string): Map<string, string | null> => {
    const out = new Map<string, string | null>();
    const names: string[] = Object.values(LAB_LAYOUT).flatMap((n): string[] => ['truststore' in n ? [n.keystore, n.truststore] : [n.keystore]].flat());
    for (const f of names) {
      try {
        out.set(f, sha256Hex(readFileSync(join(dir, f))));
      } catch {
        out.set(f, null);
      }
    }
    return out;
  };
  const steps = async (): Promise<string> => (await planCluster(await loadClusterFile(join(labDir, 'cluster.yaml')))).steps.map((s) => `${s.node} ${s.kind}`).join('\n');
  const reset = (): void => {
    rmSync(labDir, { recursive: true, force: true });
    cpSync(pristine, labDir, { recursive: true });
  };
  const apply = (extraEnv: Record<string, string>, killAfterMs?: number) => hapkiKilled(['apply', join(labDir, 'cluster.yaml')], extraEnv, killAfterMs);

  beforeAll(async () => {
    await createLab(pristine);
    pristineHashes = hashes(pristine);
    reset();
    pristineSteps = await steps();
    const started = Date.now();
    const r = await apply({});
    expect(r.code, r.stderr).toBe(0);
    fullRunMs = Date.now() - started;
    const after = hashes(labDir);
    changedByApply = [...after.keys()].filter((f) => after.get(f) !== pristineHashes.get(f));
    expect(changedByApply.length).toBeGreaterThan(5);
    issuedByApply = await issuedInRecord();
    expect(issuedByApply.length).toBeGreaterThan(0);
  }, 180_000);

  /** The serials the lab CA's issuance record lists as issued. */
  const issuedInRecord = async (): Promise<string[]> => {
    const record = `${(await loadClusterFile(join(labDir, 'cluster.yaml'))).ca.keystore}.issued.jsonl`;
    let text = '';
    try {
      text = readFileSync(record, 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as { type: string; serial: string }).filter((l) => l.type === 'issued').map((l) => l.serial);
  };
  let issuedByApply: string[] = [];

  it('killed once the keystores are in place: the CA\'s issuance record has every certificate apply put in them (one change set)', async () => {
    reset();
    const r = await apply({ HAPKI_TEST_CRASH_AT: 'committed' });
    expect(r.signal).toBe('SIGKILL');
    const recovered = await hapki(['recover', join(labDir, 'cluster.yaml')]);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(await steps()).toBe('');
    // the record was its own change set after the keystores': this kill left it without them, and the converged rerun never added them
    expect((await issuedInRecord()).length).toBe(issuedByApply.length);
    const rerun = await apply({});
    expect(rerun.code, rerun.stderr).toBe(0);
    expect((await issuedInRecord()).length).toBe(issuedByApply.length);
    expect(debris(labDir)).toEqual([]);
  }, 180_000);

  const check = async (label: string, interopCheck: boolean): Promise<void> => {
    const recovered = await hapki(['recover', join(labDir, 'cluster.yaml')]);
    expect(recovered.code, recovered.stderr).toBe(0);
    const now = hashes(labDir);
    const old = changedByApply.filter((f) => now.get(f) === pristineHashes.get(f));
    // every keystore apply changes is old, or every one is new
    expect([0, changedByApply.length], `${label}: still old: ${old.join(', ')}`).toContain(old.length);
    expect(await steps(), label).toBe(old.length === 0 ? '' : pristineSteps);
    expect(debris(labDir), label).toEqual([]);
    if (interopCheck) {
      const pass = (secret: string): string => readFileSync(join(labDir, secret), 'utf8').trim();
      for (const n of [LAB_LAYOUT.msas1, LAB_LAYOUT.msas2]) await keytool(['-list', '-keystore', join(labDir, n.keystore), '-storepass', pass(n.secret)]);
      for (const n of [LAB_LAYOUT.admin, LAB_LAYOUT.standby1] as const) {
        await openssl(['pkcs12', '-in', join(labDir, n.keystore), '-passin', `pass:${pass(n.secret)}`, '-nokeys', '-out', '/dev/null']);
        if (old.length === 0) await keytool(['-list', '-keystore', join(labDir, n.truststore), '-storetype', 'PKCS12', '-storepass', pass(n.secret)]);
      }
    }
    const rerun = await apply({});
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await steps()).toBe('');
  };

  it.each(['staged', 'journaled', 'renamed-1', 'renamed-5', 'committed'])('killed at %s', async (step) => {
    reset();
    const r = await apply({ HAPKI_TEST_CRASH_AT: step });
    expect(r.signal).toBe('SIGKILL');
    await check(step, step === 'renamed-5');
  }, 180_000);

  it('killed part way, then apply again without hapki recover: it settles the killed change first and finishes the job', async () => {
    reset();
    const r = await apply({ HAPKI_TEST_CRASH_AT: 'renamed-3' });
    expect(r.signal).toBe('SIGKILL');
    const rerun = await apply({});
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain('was recovered: finished it');
    expect(await steps()).toBe('');
    expect(debris(labDir)).toEqual([]);
  }, 180_000);

  it('killed at random moments (2 runs)', async () => {
    for (let i = 0; i < 2; i++) {
      reset();
      const delay = Math.floor(Math.random() * fullRunMs);
      await apply({}, delay);
      await check(`killed after ${delay} ms of ${fullRunMs}`, false);
    }
  }, 600_000);
});

describe('SIGKILL of sign --out-dir (a batch of 3), then the same command again', () => {
  it('the rerun finishes the killed batch first: every certificate there, no temp file or lock, and only then ERR_FILE_EXISTS', async () => {
    const dir = join(root, 'sign-batch');
    mkdirSync(dir);
    const caEnv = { ...env, CAPASS: 'ca-secret' };
    expect((await hapki(['ca', 'init', '--subject', 'CN=Batch CA', '--kty', 'ec', '--out', join(dir, 'ca.p12'), '--outpass', 'env:CAPASS'], { env: caEnv })).code).toBe(0);
    const csrs = ['a', 'b', 'c'].map((n) => join(dir, `${n}.csr`));
    for (const [i, csr] of csrs.entries()) {
      const made = await hapki(['csr', '--new-key', '--kty', 'ec', '--subject', `CN=n${i}.example.com`, '--keystore', join(dir, `n${i}.p12`), '--alias', 'n', '--storepass', 'env:STOREPASS', '--out', csr], { env });
      expect(made.code, made.stderr).toBe(0);
    }
    const sign = (extraEnv: Record<string, string>) => hapkiKilled(['sign', ...csrs, '--ca', join(dir, 'ca.p12'), '--ca-storepass', 'env:CAPASS', '--allow-any-name', '--out-dir', join(dir, 'certs')], { ...caEnv, ...extraEnv });
    // the batch and the CA's issuance record are one change set of 4 files: killed after the second rename, part of it is in place
    const killed = await sign({ HAPKI_TEST_CRASH_AT: 'renamed-2' });
    expect(killed.signal).toBe('SIGKILL');
    const partial = readdirSync(join(dir, 'certs')).filter((f) => f.endsWith('.pem'));
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(3);
    const rerun = await sign({});
    expect(rerun.code).toBe(1);
    // the recovery is a change made: said even though the command then fails, before its one error line
    const lines = rerun.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('was recovered: finished it');
    expect(`${lines[1]}\n`).toMatch(ONE_LINE_ERROR('ERR_FILE_EXISTS'));
    expect(readdirSync(join(dir, 'certs')).sort()).toEqual(['a.pem', 'b.pem', 'c.pem']);
    for (const f of ['a', 'b', 'c']) await openssl(['x509', '-in', join(dir, 'certs', `${f}.pem`), '-noout']);
    // and the record lists the three, once each
    const record = readFileSync(join(dir, 'ca.p12.issued.jsonl'), 'utf8').trim().split('\n');
    expect(record).toHaveLength(3);
  }, 120_000);

  it('a recovery killed in its turn blocks nothing: the next one takes over its guard and finishes the batch', async () => {
    const dir = join(root, 'sign-batch');
    rmSync(join(dir, 'certs'), { recursive: true, force: true });
    const csrs = ['a', 'b', 'c'].map((n) => join(dir, `${n}.csr`));
    const killed = await hapkiKilled(['sign', ...csrs, '--ca', join(dir, 'ca.p12'), '--ca-storepass', 'env:CAPASS', '--allow-any-name', '--out-dir', join(dir, 'certs')], { CAPASS: 'ca-secret', HAPKI_TEST_CRASH_AT: 'renamed-2' });
    expect(killed.signal).toBe('SIGKILL');
    const recoveryKilled = await hapkiKilled(['recover', join(dir, 'certs')], { HAPKI_TEST_CRASH_AT: 'recovering' });
    expect(recoveryKilled.signal).toBe('SIGKILL');
    // the guard is beside the change set's journal: the first of its files, the CA's record
    expect(debris(dir).some((f) => f.endsWith('.recovering'))).toBe(true);
    // without the takeover this waited for the dead recovery forever
    const recovered = await hapkiKilled(['recover', join(dir, 'certs')], {}, 60_000);
    expect(recovered.signal).toBe(null);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toContain('rolled-forward');
    expect(readdirSync(join(dir, 'certs')).sort()).toEqual(['a.pem', 'b.pem', 'c.pem']);
  }, 120_000);
});
