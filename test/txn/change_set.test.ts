import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitChangeSet, contentHash } from '../../src/txn/change_set.js';
import { configureWritePath } from '../../src/txn/config.js';
import { recoverTree } from '../../src/txn/recover_paths.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

const base = tempDir('hapki-txn-');
let n = 0;
const fresh = (): string => {
  const dir = join(base, `d${++n}`);
  mkdirSync(dir);
  return dir;
};
const text = (path: string): string => readFileSync(path, 'utf8');
const hapkiNames = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('.hapki-'));
const isRoot = process.getuid?.() === 0;

/** A real node process committing a three-file change set over a, b, c in dir, killed with SIGKILL at `step`. */
function commitInChild(dir: string, value: string, crashAt?: string): { status: number | null; signal: NodeJS.Signals | null } {
  const script = `
    const { commitChangeSet } = await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'txn', 'change_set.js'))});
    await commitChangeSet(['a', 'b', 'c'].map((f) => ({ path: ${JSON.stringify(dir)} + '/' + f, action: 'update', content: f + ${JSON.stringify(value)}, backup: true, private: true })));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env['PATH'] ?? '', ...(crashAt ? { HAPKI_TEST_CRASH_AT: crashAt } : {}) }, encoding: 'utf8' });
  return { status: result.status, signal: result.signal };
}

describe('commitChangeSet', () => {
  it('replaces, creates and deletes files together, with a backup of each replaced one', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a'), 'a0');
    writeFileSync(join(dir, 'gone'), 'x');
    const result = await commitChangeSet([
      { path: join(dir, 'a'), action: 'update', content: (current) => `${Buffer.from(current!).toString()}+1`, backup: true },
      { path: join(dir, 'new.pem'), action: 'write', content: 'cert' },
      { path: join(dir, 'gone'), action: 'delete' },
    ]);
    expect(result.written.length).toBe(3);
    expect([text(join(dir, 'a')), text(join(dir, 'a.bak')), text(join(dir, 'new.pem')), existsSync(join(dir, 'gone'))]).toEqual(['a0+1', 'a0', 'cert', false]);
    expect(readdirSync(dir).sort()).toEqual(['a', 'a.bak', 'new.pem']);
  });

  it('refuses an output larger than hapki reads back (64 MiB, the input bound), before staging anything, and keeps the file it would replace', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'out.pem'), 'old');
    const big = new Uint8Array(64 * 1024 * 1024 + 1);
    await expect(commitChangeSet([{ path: join(dir, 'out.pem'), action: 'update', content: big, backup: true }])).rejects.toMatchObject({ code: 'ERR_IO', message: expect.stringMatching(/^[^\n]*out\.pem: the output would be 67108865 bytes/) });
    expect(readdirSync(dir)).toEqual(['out.pem']);
    expect(text(join(dir, 'out.pem'))).toBe('old');
  });

  it('refuses a change computed from content that has changed since (ERR_CONCURRENT_CHANGE), writing nothing', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a'), 'read earlier');
    writeFileSync(join(dir, 'b'), 'b0');
    const expected = contentHash(new Uint8Array(Buffer.from('read earlier')));
    writeFileSync(join(dir, 'a'), 'changed by another program');
    await expect(commitChangeSet([
      { path: join(dir, 'a'), action: 'update', content: 'mine', expectedSha256: expected },
      { path: join(dir, 'b'), action: 'update', content: 'b1' },
    ])).rejects.toMatchObject({ code: 'ERR_CONCURRENT_CHANGE' });
    expect([text(join(dir, 'a')), text(join(dir, 'b'))]).toEqual(['changed by another program', 'b0']);
    expect(hapkiNames(dir)).toEqual([]);
  });

  it('refuses to replace an output without force, and says so', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'out.p12'), 'old');
    await expect(commitChangeSet([{ path: join(dir, 'out.p12'), action: 'write', content: 'new' }])).rejects.toMatchObject({ code: 'ERR_FILE_EXISTS' });
    expect(text(join(dir, 'out.p12'))).toBe('old');
  });

  it('waits for a live holder, then fails with ERR_LOCKED naming it', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'ks.jks'), 'old');
    const holder = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, '.ks.jks.hapki-lock'), JSON.stringify({ host: hostname(), pid: holder.pid, start: '', since: '2026-01-01T00:00:00Z', txn: 'f'.repeat(16), files: [] }));
      const error = await commitChangeSet([{ path: join(dir, 'ks.jks'), action: 'update', content: 'new' }], { lockTimeoutMs: 300 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_LOCKED' });
      expect((error as Error).message).toContain(`pid ${holder.pid} on ${hostname()}`);
      expect(text(join(dir, 'ks.jks'))).toBe('old');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a lock file left empty (its writer killed between create and write) is taken over once 10 s old, within the lock wait; a fresh one is waited for', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'ks.jks'), 'old');
    const lock = join(dir, '.ks.jks.hapki-lock');
    writeFileSync(lock, '');
    // fresh: its writer may be filling it in this moment
    await expect(commitChangeSet([{ path: join(dir, 'ks.jks'), action: 'update', content: 'new' }], { lockTimeoutMs: 300 })).rejects.toMatchObject({ code: 'ERR_LOCKED' });
    expect(text(join(dir, 'ks.jks'))).toBe('old');
    // 11 s old: debris, taken over without waiting out the 30 s default wait
    const old = new Date(Date.now() - 11_000);
    utimesSync(lock, old, old);
    const started = Date.now();
    await commitChangeSet([{ path: join(dir, 'ks.jks'), action: 'update', content: 'new' }], { lockTimeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(text(join(dir, 'ks.jks'))).toBe('new');
    expect(hapkiNames(dir)).toEqual([]);
  });

  it('hapki recover removes a lock file its writer never filled in, waiting until it is old enough, and keeps one filled in meanwhile', async () => {
    const dir = fresh();
    for (const f of ['a.p12', 'b.p12', 'c.p12']) writeFileSync(join(dir, f), f);
    const aged = (file: string, ms: number): void => {
      const at = new Date(Date.now() - ms);
      utimesSync(join(dir, file), at, at);
    };
    // old enough: debris at once
    writeFileSync(join(dir, '.a.p12.hapki-lock'), '');
    aged('.a.p12.hapki-lock', 11_000);
    // not yet: recover waits for it (a recover run right after a kill must not leave it behind)
    writeFileSync(join(dir, '.b.p12.hapki-lock'), '{"not": "a holder"');
    aged('.b.p12.hapki-lock', 9_000);
    // its writer, alive, fills it in while recover waits: a live change set, left alone
    writeFileSync(join(dir, '.c.p12.hapki-lock'), '');
    aged('.c.p12.hapki-lock', 8_500);
    const live = JSON.stringify({ host: hostname(), pid: process.pid, start: '', since: new Date().toISOString(), txn: 'f'.repeat(16), files: [{ location: 'local', path: join(dir, 'c.p12') }] });
    const filling = setTimeout(() => writeFileSync(join(dir, '.c.p12.hapki-lock'), live), 300);
    const result = await recoverTree(dir);
    clearTimeout(filling);
    expect(result.removed.sort()).toEqual([join(dir, '.a.p12.hapki-lock'), join(dir, '.b.p12.hapki-lock')]);
    expect(result.busy).toEqual([join(dir, 'c.p12')]);
    expect(hapkiNames(dir)).toEqual(['.c.p12.hapki-lock']);
  });

  it('hapki recover removes the guards of processes killed while taking over a lock or recovering, and keeps a live one', async () => {
    const dir = fresh();
    const dead = spawnSync('true').pid;
    const owner = (pid: number): string => JSON.stringify({ host: hostname(), pid, start: '' });
    writeFileSync(join(dir, '.a.p12.hapki-lock.takeover'), owner(dead));
    writeFileSync(join(dir, `.a.p12.hapki-${'1'.repeat(16)}.recovering`), owner(dead));
    // killed before it wrote who it is: waited for until old enough
    writeFileSync(join(dir, `.b.p12.hapki-${'2'.repeat(16)}.recovering`), '');
    const at = new Date(Date.now() - 9_500);
    utimesSync(join(dir, `.b.p12.hapki-${'2'.repeat(16)}.recovering`), at, at);
    // this process is alive: its guard stays
    writeFileSync(join(dir, '.c.p12.hapki-lock.takeover'), owner(process.pid));
    const result = await recoverTree(dir);
    expect(result.removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['.a.p12.hapki-1111111111111111.recovering', '.a.p12.hapki-lock.takeover', '.b.p12.hapki-2222222222222222.recovering']);
    expect(hapkiNames(dir)).toEqual(['.c.p12.hapki-lock.takeover']);
  });

  it('hapki recover removes the lock of a dead change set even behind a takeover guard its killed writer never filled in', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.p12'), 'old');
    const dead = spawnSync('true').pid;
    writeFileSync(join(dir, '.a.p12.hapki-lock'), JSON.stringify({ host: hostname(), pid: dead, start: '', since: '2026-01-01T00:00:00Z', txn: 'd'.repeat(16), files: [{ location: 'local', path: join(dir, 'a.p12') }] }));
    // a process killed between creating the takeover guard and writing who it is: stale only once 10 s old
    writeFileSync(join(dir, '.a.p12.hapki-lock.takeover'), '');
    const result = await recoverTree(dir);
    expect(result.recovered.map((r) => r.txn)).toEqual(['d'.repeat(16)]);
    // the lock removal used to give up on the guard after a few seconds, leaving the dead lock for good
    expect(hapkiNames(dir)).toEqual([]);
    expect(text(join(dir, 'a.p12'))).toBe('old');
  }, 60_000);

  it('hapki recover ends on an unreadable lock or guard dated in the future (a remote clock ahead): by its own clock, after 10 s', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.p12'), 'a');
    const future = new Date(Date.now() + 3_600_000);
    writeFileSync(join(dir, '.a.p12.hapki-lock'), '');
    utimesSync(join(dir, '.a.p12.hapki-lock'), future, future);
    writeFileSync(join(dir, '.a.p12.hapki-lock.takeover'), '');
    utimesSync(join(dir, '.a.p12.hapki-lock.takeover'), future, future);
    // an hour by the time stamps (the test's time limit ends it if recover waits for that); two waits of 10 s by ours
    const result = await recoverTree(dir);
    expect(result.removed).toContain(join(dir, '.a.p12.hapki-lock'));
    expect(hapkiNames(dir)).toEqual([]);
  }, 60_000);

  it('a lock file hapki cannot read (here a directory) is somebody\'s: recover reports it busy and leaves it', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.p12'), 'a');
    mkdirSync(join(dir, '.a.p12.hapki-lock'));
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, '.a.p12.hapki-lock'), old, old);
    const result = await recoverTree(dir);
    expect(result.busy).toEqual([join(dir, 'a.p12')]);
    expect(existsSync(join(dir, '.a.p12.hapki-lock'))).toBe(true);
  });

  it('takes over the lock of a dead process, and says so', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'ks.jks'), 'old');
    const dead = spawnSync('true').pid;
    writeFileSync(join(dir, '.ks.jks.hapki-lock'), JSON.stringify({ host: hostname(), pid: dead, start: '', since: '2026-01-01T00:00:00Z', txn: 'e'.repeat(16), files: [{ location: 'local', path: join(dir, 'ks.jks') }] }));
    writeFileSync(join(dir, `.ks.jks.hapki-${'e'.repeat(16)}.tmp`), 'debris: a key staged by the dead process');
    const warnings: string[] = [];
    configureWritePath({ warn: (m) => warnings.push(m) });
    await commitChangeSet([{ path: join(dir, 'ks.jks'), action: 'update', content: 'new' }], { lockTimeoutMs: 5000 });
    expect(text(join(dir, 'ks.jks'))).toBe('new');
    expect(warnings.join('\n')).toContain(`pid ${dead}`);
    expect(hapkiNames(dir)).toEqual([]);
  });

  it.each(['locked', 'staging', 'staged', 'journal-written', 'journaled', 'renamed-1', 'renamed-2', 'committed'])('a process killed (SIGKILL) at "%s" leaves all old or all new, and the next commit settles it', async (step) => {
    const dir = fresh();
    for (const f of ['a', 'b', 'c']) writeFileSync(join(dir, f), `${f}0`);
    expect(commitInChild(dir, '1', step).signal).toBe('SIGKILL');
    const seen = ['a', 'b', 'c'].map((f) => text(join(dir, f))).join(' ');
    // before recovery a reader may see a mix only once renames began: the journal says how to settle it
    const recovered = await recoverTree(dir);
    const after = ['a', 'b', 'c'].map((f) => text(join(dir, f))).join(' ');
    expect(['a0 b0 c0', 'a1 b1 c1']).toContain(after);
    if (step.startsWith('renamed') || step === 'journaled' || step === 'committed') expect(after).toBe('a1 b1 c1');
    else expect(after).toBe(seen);
    expect(recovered.recovered.length).toBe(1);
    expect(hapkiNames(dir)).toEqual([]);
    // and the files are usable again: a new change goes through
    expect(commitInChild(dir, '2').status).toBe(0);
    expect(['a', 'b', 'c'].map((f) => text(join(dir, f))).join(' ')).toBe('a2 b2 c2');
    // the backup has the file's mode, less others'
    expect(statSync(join(dir, 'a.bak')).mode & 0o777).toBe(statSync(join(dir, 'a')).mode & 0o660);
  });

  it('a journal is never seen part written: killed while writing it, the change set is undone and hapki recover succeeds', async () => {
    const dir = fresh();
    for (const f of ['a', 'b', 'c']) writeFileSync(join(dir, f), `${f}0`);
    expect(commitInChild(dir, '1', 'journal-written').signal).toBe('SIGKILL');
    // what a kill between creating the journal and writing it leaves: an empty file, under its temp name
    const [temp] = hapkiNames(dir).filter((f) => f.endsWith('.journal.tmp'));
    expect(temp).toBeDefined();
    writeFileSync(join(dir, temp!), '');
    expect(hapkiNames(dir).filter((f) => f.endsWith('.journal'))).toEqual([]);
    const recovered = await recoverTree(dir);
    expect(recovered.recovered.length).toBe(1);
    expect(['a', 'b', 'c'].map((f) => text(join(dir, f))).join(' ')).toBe('a0 b0 c0');
    expect(hapkiNames(dir)).toEqual([]);
  });

  it('settles a killed change set before its own, when the next command touches one of its files', async () => {
    const dir = fresh();
    for (const f of ['a', 'b', 'c']) writeFileSync(join(dir, f), `${f}0`);
    commitInChild(dir, '1', 'renamed-1');
    expect(text(join(dir, 'c'))).toBe('c0');
    await commitChangeSet([{ path: join(dir, 'c'), action: 'update', content: (cur) => `${Buffer.from(cur!).toString()}+` }], { lockTimeoutMs: 5000 });
    expect(['a', 'b', 'c'].map((f) => text(join(dir, f))).join(' ')).toBe('a1 b1 c1+');
    expect(hapkiNames(dir)).toEqual([]);
  });

  it('fails with a coded error on a directory that is gone, leaving nothing', async () => {
    const dir = fresh();
    await expect(commitChangeSet([{ path: join(dir, 'missing', 'x.p12'), action: 'write', content: 'x' }])).rejects.toMatchObject({ code: 'ERR_IO' });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('ownership, modes and symbolic links', () => {
  it('says that a file with other hard links is replaced by a new file, whose other names keep the old content', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'ks.jks'), 'old');
    spawnSync('ln', [join(dir, 'ks.jks'), join(dir, 'other-name.jks')]);
    const warnings: string[] = [];
    configureWritePath({ warn: (m) => warnings.push(m) });
    await commitChangeSet([{ path: join(dir, 'ks.jks'), action: 'update', content: 'new', backup: true }]);
    expect(warnings.join('\n')).toContain('has 2 hard links');
    expect(text(join(dir, 'ks.jks'))).toBe('new');
    expect(text(join(dir, 'other-name.jks'))).toBe('old');
    warnings.length = 0;
    // a file of one name: nothing to say
    await commitChangeSet([{ path: join(dir, 'ks.jks'), action: 'update', content: 'newer', backup: true }]);
    expect(warnings).toEqual([]);
  });

  it('gives a new output the umask mode, or 0600 with private material; a backup is never wider than its file, never open to others', async () => {
    const dir = fresh();
    const mask = process.umask(0o027);
    try {
      await commitChangeSet([{ path: join(dir, 'public.pem'), action: 'write', content: 'c' }, { path: join(dir, 'key.pem'), action: 'write', content: 'k', private: true }]);
      writeFileSync(join(dir, 'ks.p12'), 'old key');
      chmodSync(join(dir, 'ks.p12'), 0o644);
      await commitChangeSet([{ path: join(dir, 'ks.p12'), action: 'update', content: 'new key', private: true, backup: true }]);
    } finally {
      process.umask(mask);
    }
    expect(statSync(join(dir, 'public.pem')).mode & 0o777).toBe(0o640);
    expect(statSync(join(dir, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ks.p12')).mode & 0o777).toBe(0o640);
    expect(statSync(join(dir, 'ks.p12.bak')).mode & 0o777).toBe(0o640);
    // the backup of a file replaced by a new one (--force) is 0600 at most
    writeFileSync(join(dir, 'out.pem'), 'old');
    chmodSync(join(dir, 'out.pem'), 0o644);
    await commitChangeSet([{ path: join(dir, 'out.pem'), action: 'write', content: 'new', force: true, backup: true }]);
    expect(statSync(join(dir, 'out.pem.bak')).mode & 0o777).toBe(0o600);
  });

  // regression: under umask 000 a new trust store, certificate or CA record was writable by every user
  it('never makes a new file or directory writable by others, whatever the umask; private material stays 0600', async () => {
    const dir = fresh();
    const mask = process.umask(0o000);
    try {
      await commitChangeSet([
        { path: join(dir, 'trust', 'truststore.p12'), action: 'write', content: 't', createParents: true },
        { path: join(dir, 'record.jsonl'), action: 'update', content: 'r', mode: 0o666 },
        { path: join(dir, 'key.pem'), action: 'write', content: 'k', private: true },
      ]);
    } finally {
      process.umask(mask);
    }
    expect(statSync(join(dir, 'trust', 'truststore.p12')).mode & 0o777).toBe(0o664);
    expect(statSync(join(dir, 'trust')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'record.jsonl')).mode & 0o777).toBe(0o664);
    expect(statSync(join(dir, 'key.pem')).mode & 0o777).toBe(0o600);
  });

  // regression: the backup was root's, 0600: moved back in place (mv gateway.jks.bak gateway.jks), it locked the service out of its keystore
  it.runIf(isRoot)('as root: an in-place rewrite keeps owner, group and mode, and so does its backup; a forced output over another user\'s file is ours, 0600', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'gateway.jks'), 'old');
    chownSync(join(dir, 'gateway.jks'), 65534, 65534);
    chmodSync(join(dir, 'gateway.jks'), 0o640);
    await commitChangeSet([{ path: join(dir, 'gateway.jks'), action: 'update', content: 'new', private: true, backup: true }]);
    const kept = statSync(join(dir, 'gateway.jks'));
    expect([kept.uid, kept.gid, kept.mode & 0o777]).toEqual([65534, 65534, 0o640]);
    const backup = statSync(join(dir, 'gateway.jks.bak'));
    expect([backup.uid, backup.gid, backup.mode & 0o777, text(join(dir, 'gateway.jks.bak'))]).toEqual([65534, 65534, 0o640, 'old']);
    writeFileSync(join(dir, 'planted.pem'), 'theirs');
    chownSync(join(dir, 'planted.pem'), 65534, 65534);
    chmodSync(join(dir, 'planted.pem'), 0o666);
    await commitChangeSet([{ path: join(dir, 'planted.pem'), action: 'write', content: 'private key', private: true, force: true }]);
    const out = statSync(join(dir, 'planted.pem'));
    expect([out.uid, out.mode & 0o777, text(join(dir, 'planted.pem'))]).toEqual([0, 0o600, 'private key']);
  });

  it.runIf(isRoot)("as root: another user's symbolic link at an output or at <keystore>.bak is not followed", async () => {
    const dir = fresh();
    chmodSync(dir, 0o777);
    const victim = join(fresh(), 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'out.pem'));
    spawnSync('chown', ['-h', 'nobody', join(dir, 'out.pem')]);
    await expect(commitChangeSet([{ path: join(dir, 'out.pem'), action: 'write', content: 'key', force: true, private: true }])).rejects.toMatchObject({ code: 'ERR_UNSAFE_PATH' });
    writeFileSync(join(dir, 'ks.jks'), 'old');
    symlinkSync(victim, join(dir, 'ks.jks.bak'));
    spawnSync('chown', ['-h', 'nobody', join(dir, 'ks.jks.bak')]);
    await commitChangeSet([{ path: join(dir, 'ks.jks'), action: 'update', content: 'new', backup: true, private: true }]);
    expect(text(victim)).toBe('precious');
    expect(lstatSync(join(dir, 'ks.jks.bak')).isSymbolicLink()).toBe(false);
    expect(text(join(dir, 'ks.jks.bak'))).toBe('old');
  });

  it('follows our own symbolic link, replacing the file it points to', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'real.p12'), 'old');
    symlinkSync(join(dir, 'real.p12'), join(dir, 'link.p12'));
    await commitChangeSet([{ path: join(dir, 'link.p12'), action: 'update', content: 'new' }]);
    expect(lstatSync(join(dir, 'link.p12')).isSymbolicLink()).toBe(true);
    expect(text(join(dir, 'real.p12'))).toBe('new');
  });

  // Regression: in a directory anybody may write in without the sticky bit, anybody may swap our
  // link for theirs between the look at it and the write through it: our link was followed there.
  it('follows no link in a directory open to everybody without the sticky bit, ours included; with the sticky bit (/tmp) ours is followed', async () => {
    const open = fresh();
    chmodSync(open, 0o777);
    const elsewhere = fresh();
    writeFileSync(join(elsewhere, 'real.p12'), 'old');
    symlinkSync(join(elsewhere, 'real.p12'), join(open, 'link.p12'));
    await expect(commitChangeSet([{ path: join(open, 'link.p12'), action: 'update', content: 'new' }])).rejects.toMatchObject({ code: 'ERR_UNSAFE_PATH', message: expect.stringContaining('may replace links in') });
    // a link to a directory on the way counts the same
    symlinkSync(elsewhere, join(open, 'dir'));
    await expect(commitChangeSet([{ path: join(open, 'dir', 'real.p12'), action: 'update', content: 'new' }])).rejects.toMatchObject({ code: 'ERR_UNSAFE_PATH' });
    expect(text(join(elsewhere, 'real.p12'))).toBe('old');
    chmodSync(open, 0o1777);
    await commitChangeSet([{ path: join(open, 'link.p12'), action: 'update', content: 'new' }]);
    expect(text(join(elsewhere, 'real.p12'))).toBe('new');
  });

  // Regression: a plain directory under such a directory passed the check, and anybody could
  // rename it and put a link in its place before the lock, the staging and the rename, which go by name
  it('passes through no directory under a directory open to everybody without the sticky bit; the file itself may be there', async () => {
    const open = fresh();
    chmodSync(open, 0o777);
    mkdirSync(join(open, 'app'));
    await expect(commitChangeSet([{ path: join(open, 'app', 'server.p12'), action: 'write', content: 'new' }])).rejects.toMatchObject({ code: 'ERR_UNSAFE_PATH', message: expect.stringContaining('anybody may swap it for a link') });
    expect(readdirSync(join(open, 'app'))).toEqual([]);
    // nor one it would make there
    await expect(commitChangeSet([{ path: join(open, 'new', 'server.p12'), action: 'write', content: 'new', createParents: true }])).rejects.toMatchObject({ code: 'ERR_UNSAFE_PATH' });
    expect(existsSync(join(open, 'new'))).toBe(false);
    await commitChangeSet([{ path: join(open, 'server.p12'), action: 'write', content: 'new' }]);
    expect(text(join(open, 'server.p12'))).toBe('new');
    // with the sticky bit only the directory's owner may rename what is in it
    chmodSync(open, 0o1777);
    await commitChangeSet([{ path: join(open, 'app', 'server.p12'), action: 'write', content: 'new' }]);
    expect(text(join(open, 'app', 'server.p12'))).toBe('new');
  });

  // Regression: missing directories were made (createParents) before the path was checked, so
  // through a link the check then refused
  it('makes no missing directory through a link it would not follow', async () => {
    const open = fresh();
    chmodSync(open, 0o777);
    const elsewhere = fresh();
    symlinkSync(elsewhere, join(open, 'link'));
    await expect(commitChangeSet([{ path: join(open, 'link', 'made', 'server.p12'), action: 'write', content: 'new', createParents: true }])).rejects.toMatchObject({ code: 'ERR_UNSAFE_PATH' });
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});
