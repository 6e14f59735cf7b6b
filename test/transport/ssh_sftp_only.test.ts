import { execFileSync } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshPool } from '../../src/transport/ssh/pool.js';
import type { SshOptions } from '../../src/transport/ssh/ssh_options.js';
import { commitChangeSet } from '../../src/txn/change_set.js';
import { configureWritePath } from '../../src/txn/config.js';
import { hapki } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES } from '../helpers/fixtures.js';
import { createSshLab, createTestUser, installedSftpServer, type SshHost, type SshLab } from '../helpers/sshd.js';
import { tempDir } from '../helpers/tools.js';

/**
 * Accounts that may use SFTP and nothing else, as sshd sets them up: `ForceCommand internal-sftp`
 * in a Match block, a nologin shell. hapki learnt its uid, gid and umask with `id` and `umask`
 * over exec, and could not write there at all.
 */
const SFTP_USER = 'hapkisftp';
let lab: SshLab;
/** ForceCommand internal-sftp for SFTP_USER (a Match block); root may still run commands. */
let forced: SshHost;
/** The account's nologin shell with an external sftp-server (run through that shell): neither works. */
let neither: SshHost;
let uid: number;
let gid: number;
let removeUser: () => void;

beforeAll(async () => {
  configureWritePath({ warn: () => undefined });
  removeUser = createTestUser(SFTP_USER, '/usr/sbin/nologin', 'the SFTP-only tests create a user');
  uid = Number(execFileSync('id', ['-u', SFTP_USER], { encoding: 'utf8' }).trim());
  gid = Number(execFileSync('id', ['-g', SFTP_USER], { encoding: 'utf8' }).trim());
  lab = createSshLab();
  forced = await lab.addHost('forced', { sftpServer: 'internal-sftp', config: [`Match User ${SFTP_USER}`, '  ForceCommand internal-sftp -u 027'] });
  neither = await lab.addHost('neither', { sftpServer: installedSftpServer() });
});

afterAll(() => {
  lab?.stop();
  removeUser?.();
});

const options = (): SshOptions => ({ identity: lab.clientKey, knownHosts: [lab.knownHosts], agent: false, user: SFTP_USER, config: false });

/** A directory of the SFTP user's on a host, holding `a` and `b` (old). */
function userDir(host: SshHost, name: string): string {
  const dir = join(host.root, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ['a', 'b']) {
    writeFileSync(join(dir, f), 'old', { mode: 0o640 });
    chownSync(join(dir, f), uid, gid);
  }
  chownSync(dir, uid, gid);
  return dir;
}

describe('an SFTP-only account (ForceCommand internal-sftp)', () => {
  it('is written all or nothing: uid, gid and umask learnt over SFTP, the probe gone, owner and mode kept', async () => {
    const dir = userDir(forced, 'two');
    const pool = new SshPool(options());
    try {
      const t = pool.transport({ host: '127.0.0.1', port: forced.port });
      // a change set of two files: locks, a journal (read back only when its owner is the user), renames
      await commitChangeSet([
        { path: join(dir, 'a'), transport: t, action: 'update', content: 'new a' },
        { path: join(dir, 'b'), transport: t, action: 'update', content: 'new b' },
        { path: join(dir, 'c'), transport: t, action: 'write', content: 'new c' },
      ]);
      expect(await t.identity()).toEqual({ uid, gid });
      // internal-sftp -u 027: a new file without private material gets 0640
      expect(await t.umask()).toBe(0o027);
    } finally {
      await pool.close();
    }
    expect(['a', 'b', 'c'].map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(['new a', 'new b', 'new c']);
    expect(statSync(join(dir, 'a'))).toMatchObject({ uid, mode: expect.any(Number) });
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o640);
    expect(statSync(join(dir, 'c')).uid).toBe(uid);
    expect(statSync(join(dir, 'c')).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((n) => n.startsWith('.')).sort()).toEqual([]);
  });

  it('removes a probe directory a killed run left (older than ten minutes by the host\'s clock), never a concurrent run\'s or one holding anything', async () => {
    const dir = userDir(forced, 'stale');
    const probe = (hex: string, secondsAgo: number, holding?: string): string => {
      const path = join(dir, `.hapki-probe-${hex.padStart(16, '0')}`);
      mkdirSync(path);
      if (holding) writeFileSync(join(path, holding), 'x');
      chownSync(path, uid, gid);
      const when = Date.now() / 1000 - secondsAgo;
      utimesSync(path, when, when);
      return path;
    };
    const killed = probe('aa', 86_400);
    const running = probe('bb', -3_600);
    const holding = probe('cc', 86_400, 'kept');
    const pool = new SshPool(options());
    try {
      await commitChangeSet([{ path: join(dir, 'a'), transport: pool.transport({ host: '127.0.0.1', port: forced.port }), action: 'update', content: 'new a' }]);
    } finally {
      await pool.close();
    }
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('new a');
    expect(existsSync(killed)).toBe(false);
    expect(existsSync(running)).toBe(true);
    expect(existsSync(join(holding, 'kept'))).toBe(true);
  });

  it('writes into directories it makes (createParents): the probe goes where the account may write, above them', async () => {
    const dir = userDir(forced, 'parents');
    const pool = new SshPool(options());
    try {
      const t = pool.transport({ host: '127.0.0.1', port: forced.port });
      await commitChangeSet([{ path: join(dir, 'new', 'sub', 'c'), transport: t, action: 'write', content: 'new c', createParents: true }]);
      expect(await t.identity()).toEqual({ uid, gid });
    } finally {
      await pool.close();
    }
    expect(readFileSync(join(dir, 'new', 'sub', 'c'), 'utf8')).toBe('new c');
    expect(statSync(join(dir, 'new', 'sub', 'c')).uid).toBe(uid);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('through the CLI: a keystore converted onto the host as that user', async () => {
    const dir = userDir(forced, 'cli');
    const local = tempDir('hapki-sftponly-');
    copyFileSync(join(FIXTURES, 'gateway.p12'), join(local, 'gw.p12'));
    const run = await hapki(
      ['convert', join(local, 'gw.p12'), `ssh://${SFTP_USER}@127.0.0.1:${forced.port}${dir}/gw.jks`, '--out-format', 'jks', '--storepass', 'env:STOREPASS', '--outpass', 'env:STOREPASS', '--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey, '--ssh-config', 'none'],
      { env: { STOREPASS: FIXTURE_PASSWORD } },
    );
    expect(run.stderr).toMatch(/^hapki: wrote 2 of 2 entries to ssh:\/\/hapkisftp@[^\n]*\n$/);
    expect(run.code).toBe(0);
    expect(statSync(join(dir, 'gw.jks')).uid).toBe(uid);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  // the account's home (none here: sshd starts it in /) is not where it may write: the probe goes
  // where recovery looks, as it goes where a change set writes
  it('hapki recover ssh://user@host/dir works for such an account, another user\'s lock left alone', async () => {
    const dir = userDir(forced, 'recover');
    writeFileSync(join(dir, '.a.hapki-lock'), 'host x\n');
    const run = await hapki(['recover', `ssh://${SFTP_USER}@127.0.0.1:${forced.port}${dir}`, '--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey, '--ssh-config', 'none']);
    expect(run.stderr).not.toMatch(/ERR_/);
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, '.a.hapki-lock'))).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith('.hapki-probe'))).toEqual([]);
  });

  it('an account with neither a shell nor SFTP is one coded line naming the host', async () => {
    const dir = userDir(neither, 'none');
    const run = await hapki(['list', `ssh://${SFTP_USER}@127.0.0.1:${neither.port}${dir}/a`, '--storepass', 'env:STOREPASS', '--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey, '--ssh-config', 'none'], {
      env: { STOREPASS: FIXTURE_PASSWORD },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^hapki: ssh:\/\/hapkisftp@127\.0\.0\.1:\d+: the SFTP subsystem would not start: the host answered with text, not SFTP: [^\n]*nologin[^\n]* \(ERR_SSH_CONNECT\)\n$/);
    expect(existsSync(join(dir, 'a'))).toBe(true);
  });
});
