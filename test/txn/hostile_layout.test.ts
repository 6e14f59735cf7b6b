import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, lchownSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';
import { createSshLab, type SshHost, type SshLab } from '../helpers/sshd.js';
import { tempDir } from '../helpers/tools.js';

/**
 * Hostile file layouts beside a keystore, on the local disk and over SSH (real sshd): what is at
 * the names hapki writes beside a file (its lock), huge inputs. Each gives one coded line at
 * once, never a wait, and leaves the keystore as it was.
 */
const env = { STOREPASS: FIXTURE_PASSWORD };
const addTrusted = (store: string, alias: string, more: string[] = []): string[] => ['import', store, '--trusted', join(FIXTURES, 'ca.pem'), '--alias', alias, '--storepass', 'env:STOREPASS', ...more];

let lab: SshLab;
let host: SshHost;
beforeAll(async () => {
  lab = createSshLab();
  host = await lab.addHost('layout');
});
afterAll(() => lab?.stop());

describe.each(['local', 'ssh'] as const)('hostile layouts (%s)', (where) => {
  /** A fresh directory with a keystore in it: its path on disk, and the name hapki is given. */
  function storeIn(name: string): { dir: string; file: string; arg: string; flags: string[] } {
    const dir = where === 'local' ? tempDir('hapki-layout-') : join(host.root, 'srv', `${name}-${Math.random().toString(16).slice(2)}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'gw.p12');
    copyFileSync(join(FIXTURES, 'gateway.p12'), file);
    const arg = where === 'local' ? file : `ssh://root@127.0.0.1:${host.port}${file}`;
    const flags = where === 'local' ? [] : ['--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey];
    return { dir, file, arg, flags };
  }

  // Regression: a directory or FIFO at the lock's name was taken for a live holder's lock file
  // "not yet readable": every command waited the whole --lock-timeout (30 s), then said
  // ERR_LOCKED "locked by a hapki process", and recover called the file busy.
  it('a directory or FIFO where the lock goes is ERR_UNSAFE_PATH at once, the keystore untouched; recover leaves it alone', async () => {
    for (const kind of ['directory', 'fifo'] as const) {
      const { dir, file, arg, flags } = storeIn(kind);
      const lock = join(dir, '.gw.p12.hapki-lock');
      if (kind === 'directory') mkdirSync(lock);
      else execFileSync('mkfifo', [lock]);
      const before = readFileSync(file);
      const run = await hapki(['--lock-timeout', '20', ...addTrusted(arg, 'extra'), ...flags], { env });
      expect(run.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSAFE_PATH'));
      expect(run.stderr).toContain('is in the way of the lock: not a regular file');
      expect(readFileSync(file).equals(before)).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(['.gw.p12.hapki-lock', 'gw.p12']);
      const recover = await hapki(['recover', where === 'local' ? dir : `ssh://root@127.0.0.1:${host.port}${dir}`, ...flags], { env });
      expect(recover.stderr).toBe('');
      expect(recover.code).toBe(0);
      // left alone, as a lock hapki cannot read is somebody's (test/txn/change_set.test.ts)
      expect(recover.stdout).toContain('busy');
      expect(readdirSync(dir).sort()).toEqual(['.gw.p12.hapki-lock', 'gw.p12']);
    }
  });

  // Regression: another user's file at the lock's name that no hapki wrote (junk, an old empty
  // file, a symbolic link) made every command wait the whole --lock-timeout, then say ERR_LOCKED
  // "locked by a hapki process (its lock file is unreadable)", without saying what or whose it is
  it("another user's junk, old empty file or symlink where the lock goes is named at once with its owner, never removed", async () => {
    for (const kind of ['junk', 'long-junk', 'old-empty', 'symlink'] as const) {
      const { dir, file, arg, flags } = storeIn(kind);
      const lock = join(dir, '.gw.p12.hapki-lock');
      if (kind === 'symlink') symlinkSync(join(dir, 'elsewhere'), lock);
      else writeFileSync(lock, kind === 'junk' ? 'planted\n' : kind === 'long-junk' ? 'x'.repeat(300) : '');
      if (kind === 'old-empty') utimesSync(lock, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
      lchownSync(lock, 65534, 65534);
      const before = readFileSync(file);
      const run = await hapki(['--lock-timeout', '60', ...addTrusted(arg, 'extra'), ...flags], { env });
      expect(run.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSAFE_PATH'));
      expect(run.stderr).toContain('.gw.p12.hapki-lock: is in the way of the lock: a ');
      expect(run.stderr).toContain('of uid 65534, not a hapki lock');
      expect(run.stderr).not.toMatch(/planted|xxxx/);
      expect(readFileSync(file).equals(before)).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(['.gw.p12.hapki-lock', 'gw.p12']);
      expect(lstatSync(lock).uid).toBe(65534);
    }
  });

  // keytool writes through every name; hapki replaces the file, so it says the other names keep
  // the old content. Over SFTP (whose attributes carry no link count) this warning was missing.
  // Regression: the lock takeover guard has a fixed name. Another user's file, directory, FIFO or
  // link planted there (a shared directory), beside a lock of ours a killed hapki left, was waited
  // for 10 s as a guard, then removed (root removing another user's file), or failed to be
  // removed with ERR_IO "is a directory"
  it("another user's file, directory, FIFO or link at the takeover guard's name beside our stale lock: ERR_UNSAFE_PATH naming it, left; once gone, the rerun settles and finishes", async () => {
    for (const kind of ['file', 'directory', 'fifo', 'symlink'] as const) {
      const { dir, file, arg, flags } = storeIn(`guard-${kind}`);
      chmodSync(dir, 0o1777);
      const killed = await hapki(addTrusted(arg, 'first', flags), { env: { ...env, HAPKI_TEST_CRASH_AT: 'staged' } });
      expect(killed.code, kind).not.toBe(0);
      const guard = join(dir, '.gw.p12.hapki-lock.takeover');
      if (kind === 'file') writeFileSync(guard, 'theirs');
      else if (kind === 'directory') mkdirSync(guard);
      else if (kind === 'fifo') execFileSync('mkfifo', [guard]);
      else symlinkSync(file, guard);
      lchownSync(guard, 65534, 65534);
      const before = readFileSync(file);
      const r = await hapki(addTrusted(arg, 'first', flags), { env });
      expect(r.stderr, kind).toMatch(ONE_LINE_ERROR('ERR_UNSAFE_PATH'));
      expect(r.stderr, kind).toContain('.gw.p12.hapki-lock.takeover: is in the way of taking over a lock');
      expect(lstatSync(guard).uid, kind).toBe(65534);
      expect(readFileSync(file).equals(before), kind).toBe(true);
      execFileSync('rm', ['-rf', guard]);
      const rerun = await hapki(addTrusted(arg, 'first', flags), { env });
      expect(rerun.code, `${kind}: ${rerun.stderr}`).toBe(0);
      expect(readdirSync(dir).filter((f) => f.includes('.hapki-')), kind).toEqual([]);
    }
  }, 120_000);

  it('a keystore with another hard link: rewritten with a warning that the other name keeps the old content', async () => {
    const { dir, file, arg, flags } = storeIn('hardlink');
    linkSync(file, join(dir, 'other-name.p12'));
    const before = readFileSync(file);
    const run = await hapki([...addTrusted(arg, 'extra'), ...flags], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('has 2 hard links: it is replaced by a new file, and its other names keep the old content');
    expect(readFileSync(join(dir, 'other-name.p12')).equals(before)).toBe(true);
    expect(readFileSync(file).equals(before)).toBe(false);
    // once alone, no warning
    const again = await hapki([...addTrusted(arg, 'extra2'), ...flags], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('hard links');
  });

  it('a directory where an output file goes is ERR_UNSAFE_PATH "is a directory", --force or not, before any key is made', async () => {
    const { dir, arg, flags } = storeIn('dirout');
    mkdirSync(join(dir, 'req.csr'));
    const out = where === 'local' ? join(dir, 'req.csr') : `ssh://root@127.0.0.1:${host.port}${join(dir, 'req.csr')}`;
    for (const force of [[], ['--force']]) {
      const r = await hapki(['csr', '--new-key', '--keystore', arg, '--alias', 'fresh', '--kty', 'ec', '--subject', 'CN=fresh.example.com', '--storepass', 'env:STOREPASS', '--out', out, ...force, ...flags], { env });
      expect(r.stderr).toMatch(ONE_LINE_ERROR(where === 'local' || force.length ? 'ERR_UNSAFE_PATH' : '(?:ERR_UNSAFE_PATH|ERR_FILE_EXISTS)'));
      expect(r.stderr).not.toContain('use --force');
      expect(readdirSync(dir).sort()).toEqual(['gw.p12', 'req.csr']);
    }
  });

  it('a 2 GB sparse file as keystore, certificate or cluster file is one ERR_IO line naming the bound, not "a keystore"', async () => {
    const { dir, arg, flags } = storeIn('huge');
    const huge = join(dir, 'huge');
    writeFileSync(huge, '');
    truncateSync(huge, 2 ** 31);
    const hugeArg = where === 'local' ? huge : `ssh://root@127.0.0.1:${host.port}${huge}`;
    const listed = await hapki(['list', hugeArg, '--storepass', 'env:STOREPASS', ...flags], { env });
    expect(listed.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    expect(listed.stderr).toContain('is too large (2147483648 bytes): hapki reads at most 67108864 bytes of a file');
    if (where === 'local') {
      const trusted = await hapki(['import', arg, '--trusted', huge, '--alias', 'x', '--storepass', 'env:STOREPASS'], { env });
      expect(trusted.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
      expect(trusted.stderr).not.toContain('keystore');
      const plan = await hapki(['plan', huge], { env });
      expect(plan.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
      expect(plan.stderr).not.toContain('keystore');
    }
    expect(existsSync(join(dir, 'gw.p12.bak'))).toBe(false);
  });
});

/** hapki run as nobody (uid 65534), as an unprivileged user runs it. */
const asNobody = (args: readonly string[]) =>
  spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, join(REPO_ROOT, 'bin', 'hapki.js'), ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env } });

/** A sticky, world-writable directory (as /tmp) holding nobody's copy of the gateway keystore. */
function nobodysStoreInStickyDir(prefix: string): { dir: string; file: string } {
  const dir = tempDir(prefix);
  chmodSync(dir, 0o1777);
  const file = join(dir, 'gw.p12');
  copyFileSync(join(FIXTURES, 'gateway.p12'), file);
  chownSync(file, 65534, 65534);
  return { dir, file };
}

describe('hostile layouts for an unprivileged user (local)', () => {
  // Regression: a .bak of another user in a sticky directory (/tmp) cannot be replaced: the
  // command staged everything, then failed at the rename with "operation not permitted"
  it('a .bak another user owns in a sticky directory is named before anything is staged', () => {
    const { dir, file } = nobodysStoreInStickyDir('hapki-layout-sticky-');
    writeFileSync(join(dir, 'gw.p12.bak'), 'root\'s');
    const r = asNobody([...addTrusted(file, 'extra')]);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSAFE_PATH'));
    expect(r.stderr).toContain('gw.p12.bak: is in the way of the backup: it belongs to uid 0 in a sticky directory');
    expect(readdirSync(dir).sort()).toEqual(['gw.p12', 'gw.p12.bak']);
    // its owner's own .bak there is replaced as usual
    chownSync(join(dir, 'gw.p12.bak'), 65534, 65534);
    const ok = asNobody([...addTrusted(file, 'extra')]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['gw.p12', 'gw.p12.bak']);
  });

  // Regression: the same lock file, but this user may not read it: a hapki of its owner may hold
  // it, so it is waited for; at the timeout the error says whose it is, not "a hapki process"
  it("another user's lock file this user cannot read: ERR_LOCKED at the timeout names its owner", () => {
    const { dir, file } = nobodysStoreInStickyDir('hapki-layout-unread-');
    writeFileSync(join(dir, '.gw.p12.hapki-lock'), 'x'.repeat(300), { mode: 0o600 });
    const r = asNobody(['--lock-timeout', '1', ...addTrusted(file, 'extra')]);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_LOCKED'));
    expect(r.stderr).toContain('is locked by a lock file of uid 0 this user cannot read');
    expect(readdirSync(dir).sort()).toEqual(['.gw.p12.hapki-lock', 'gw.p12']);
  });
});

describe('hostile layouts: mounts (local)', () => {
  // Regression: a keystore mounted on its own (a container's single-file volume) cannot be
  // replaced by rename: the command said "cannot rename .gw.p12.hapki-<id>.tmp to gw.p12: EBUSY"
  it('a keystore that is a mount point (bind-mounted on its own): ERR_IO saying so, the file as it was, nothing left', async () => {
    const dir = tempDir('hapki-layout-mount-');
    const file = join(dir, 'gw.p12');
    copyFileSync(join(FIXTURES, 'gateway.p12'), file);
    execFileSync('mount', ['--bind', file, file]);
    try {
      const before = readFileSync(file);
      const r = await hapki(addTrusted(file, 'extra'), { env });
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
      expect(r.stderr).toContain(`cannot replace ${file}: it is a mount point`);
      expect(readFileSync(file).equals(before)).toBe(true);
      expect(readdirSync(dir)).toEqual(['gw.p12']);
    } finally {
      execFileSync('umount', [file]);
    }
  });
});
