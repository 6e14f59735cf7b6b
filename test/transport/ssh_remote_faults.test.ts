import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileTransport } from '../../src/transport/file_transport.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';
import { SshPool } from '../../src/transport/ssh/pool.js';
import type { SshOptions } from '../../src/transport/ssh/ssh_options.js';
import { commitChangeSet } from '../../src/txn/change_set.js';
import { configureWritePath, registerTransport } from '../../src/txn/config.js';
import { lockHolderOf } from '../../src/txn/locks.js';
import { deadFromHolder, recoverChangeSet } from '../../src/txn/recover.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES } from '../helpers/fixtures.js';
import { createSshLab, installedSftpServer, type SshHost, type SshLab } from '../helpers/sshd.js';
import { tempDir } from '../helpers/tools.js';

/**
 * Keystores on other hosts when the host, its SFTP server or the connection is not what the
 * write path hopes for: every file stays all old or all new, and what is left is recoverable by
 * the command the error names.
 */
let lab: SshLab;
let a: SshHost;
let b: SshHost;
/** An SFTP server that does not offer posix-rename@openssh.com (sftp-server -P posix-rename). */
let noRename: SshHost;
/** An SFTP server that does not offer fsync@openssh.com. */
let noFsync: SshHost;
/** An account whose shell prints a greeting and numbers before every command (its SFTP server in sshd). */
let noisy: SshHost;

beforeAll(async () => {
  configureWritePath({ warn: () => undefined });
  lab = createSshLab();
  a = await lab.addHost('a');
  b = await lab.addHost('b');
  noRename = await lab.addHost('norename', { sftpServer: `${installedSftpServer()} -P posix-rename` });
  noFsync = await lab.addHost('nofsync', { sftpServer: `${installedSftpServer()} -P fsync` });
  const greeting = join(lab.dir, 'greeting.sh');
  writeFileSync(greeting, 'echo "Welcome to noisy"; echo 4242; echo 77\n');
  noisy = await lab.addHost('noisy', { sftpServer: 'internal-sftp', sessionEnv: { BASH_ENV: greeting } });
});

afterAll(() => lab?.stop());

const options = (): SshOptions => ({ identity: lab.clientKey, knownHosts: [lab.knownHosts], agent: false, user: 'root' });
const sshFlags = (): string[] => ['--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey, '--ssh-user', 'root'];
const env = { STOREPASS: FIXTURE_PASSWORD };
const remote = (host: SshHost, path: string): string => `ssh://root@127.0.0.1:${host.port}${path}`;

async function withPool<T>(run: (pool: SshPool) => Promise<T>): Promise<T> {
  const pool = new SshPool(options());
  try {
    return await run(pool);
  } finally {
    await pool.close();
  }
}

/** A directory on a host with one file `ks` holding `old`. */
function remoteDir(host: SshHost, name: string): { dir: string; file: string } {
  const dir = join(host.root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ks'), 'old');
  return { dir, file: join(dir, 'ks') };
}

const hapkiNames = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.hapki-'));

describe('an SFTP server that cannot replace a file atomically', () => {
  // Regression: the missing posix-rename@openssh.com was found at the renames. A change over two
  // hosts then renamed the file on the good host, failed on the other, could be neither finished
  // nor undone, and left the two keystores one new and one old, with locks and a journal that
  // hapki recover could never settle either.
  it('is refused before anything is locked or staged on any host: both files old, nothing left', async () => {
    const good = remoteDir(a, 'atomic');
    const bad = remoteDir(noRename, 'atomic');
    await withPool(async (pool) => {
      const error = await commitChangeSet([
        { path: good.file, transport: pool.transport({ host: '127.0.0.1', port: a.port }), action: 'update', content: 'new' },
        { path: bad.file, transport: pool.transport({ host: '127.0.0.1', port: noRename.port }), action: 'update', content: 'new' },
      ]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_IO', message: expect.stringContaining(`ssh://root@127.0.0.1:${noRename.port}: the SFTP server offers no posix-rename@openssh.com`) });
    });
    expect([readFileSync(good.file, 'utf8'), readFileSync(bad.file, 'utf8')]).toEqual(['old', 'old']);
    expect([...hapkiNames(good.dir), ...hapkiNames(bad.dir)]).toEqual([]);
  });

  it('through the CLI: one coded line naming the host, the keystore unchanged', async () => {
    const { dir, file } = remoteDir(noRename, 'cli');
    writeFileSync(file, readFileSync(join(FIXTURES, 'gateway.p12')));
    const before = readFileSync(file);
    const local = tempDir('hapki-norename-');
    const token = join(local, 't.p12');
    expect((await hapki(['token', 'issue', '--self-signed', '--subject', 'CN=Token', '--out', token, '--outpass', 'env:STOREPASS'], { env })).code).toBe(0);
    const run = await hapki(['token', 'distribute', token, '--storepass', 'env:STOREPASS', '--to', remote(noRename, file), '--to-storepass', 'env:STOREPASS', ...sshFlags()], { env });
    expect(run.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    expect(run.stderr).toContain(`ssh://root@127.0.0.1:${noRename.port}`);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(hapkiNames(dir)).toEqual([]);
  });
});

describe('an account whose shell prints before every command', () => {
  it('is written to as the user it is (the greeting is not taken for the user id)', async () => {
    const { dir, file } = remoteDir(noisy, 'greeted');
    await withPool(async (pool) => {
      await commitChangeSet([{ path: file, transport: pool.transport({ host: '127.0.0.1', port: noisy.port }), action: 'update', content: 'new' }]);
    });
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(hapkiNames(dir)).toEqual([]);
  });
});

describe('an SFTP server that cannot sync a file to disk', () => {
  // Regression: without fsync@openssh.com the staged file was renamed over the keystore unsynced,
  // and nothing said so.
  it('is written (the replace is still atomic), with one warning naming the host', async () => {
    const { dir, file } = remoteDir(noFsync, 'nosync');
    writeFileSync(file, readFileSync(join(FIXTURES, 'gateway.p12')));
    const run = await hapki(['import', remote(noFsync, file), '--alias', 'ca', '--trusted', join(FIXTURES, 'ca.pem'), '--storepass', 'env:STOREPASS', ...sshFlags()], { env });
    expect(run.code, run.stderr).toBe(0);
    const warnings = run.stderr.split('\n').filter((l) => l.includes('fsync@openssh.com'));
    expect(warnings).toEqual([`hapki: warning: ssh://root@127.0.0.1:${noFsync.port}: the SFTP server offers no fsync@openssh.com, so what hapki writes there is not forced to disk before it replaces the old file (a crash of that host may lose the new content)`]);
    const store = await readKeystore(new Uint8Array(readFileSync(file)), { password: FIXTURE_PASSWORD });
    expect(store.entries.map((e) => e.alias)).toContain('ca');
    expect(hapkiNames(dir)).toEqual([]);
  });
});

describe('a change over two hosts left part made', () => {
  /** The transport, except that its host drops off the network just before it renames a staged file into place. */
  function droppingAtRename(real: FileTransport, host: SshHost): FileTransport {
    const rename: FileTransport['rename'] = async (from, to) => {
      if (/\.hapki-[0-9a-f]{16}\.tmp$/.test(from)) host.kill();
      return real.rename(from, to);
    };
    return new Proxy(real, {
      get(target, key) {
        if (key === 'rename') return rename;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  // Regression: the error said "run hapki recover /opt/..." with the journal's remote directory
  // as a local path, and `hapki recover` took only local directories anyway.
  it('names the journal directory with its host, and recovery from there brings both files to new', async () => {
    const first = a.port < b.port ? a : b;
    const second = first === a ? b : a;
    const one = remoteDir(first, 'partmade');
    const two = remoteDir(second, 'partmade');
    const port = second.port;
    let message = '';
    try {
      await withPool(async (pool) => {
        const error = await commitChangeSet([
          { path: one.file, transport: pool.transport({ host: '127.0.0.1', port: first.port }), action: 'update', content: 'new' },
          { path: two.file, transport: droppingAtRename(pool.transport({ host: '127.0.0.1', port }), second), action: 'update', content: 'new' },
        ]).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'ERR_IO' });
        message = (error as Error).message;
      });
    } finally {
      await second.start();
    }
    expect(message).toContain(`the change is part made: run hapki recover ssh://root@127.0.0.1:${first.port}${one.dir}`);
    expect([readFileSync(one.file, 'utf8'), readFileSync(two.file, 'utf8')]).toEqual(['new', 'old']);
    // this process is the lock holder and still lives: its change set is recovered as a dead one would be
    await withPool(async (pool) => {
      for (const host of [first, second]) registerTransport(pool.transport({ host: '127.0.0.1', port: host.port }));
      const holder = await lockHolderOf(pool.transport({ host: '127.0.0.1', port: first.port }), one.file);
      expect(holder).toBeDefined();
      expect((await recoverChangeSet(deadFromHolder(holder!))).outcome).toBe('rolled-forward');
    });
    expect([readFileSync(one.file, 'utf8'), readFileSync(two.file, 'utf8')]).toEqual(['new', 'new']);
    expect([...hapkiNames(one.dir), ...hapkiNames(two.dir)]).toEqual([]);
  });

  // Regression: the journal's host dropping once every file was renamed made the command fail with
  // ERR_SSH_CONNECT, though the change was complete (a rerun found nothing to do).
  it('reports a change complete when the journal\'s host drops after every rename, with a warning; recovery removes the journal', async () => {
    const first = a.port < b.port ? a : b;
    const second = first === a ? b : a;
    const one = remoteDir(first, 'journalgone');
    const two = remoteDir(second, 'journalgone');
    const warnings: string[] = [];
    configureWritePath({ warn: (message) => void warnings.push(message) });
    let result;
    try {
      await withPool(async (pool) => {
        // the last rename is the second host's: right after it, the journal's host goes
        const last: FileTransport['rename'] = async (from, to) => {
          await pool.transport({ host: '127.0.0.1', port: second.port }).rename(from, to);
          if (/\.hapki-[0-9a-f]{16}\.tmp$/.test(from)) first.kill();
        };
        const real = pool.transport({ host: '127.0.0.1', port: second.port });
        const dropping = new Proxy(real, {
          get(target, key) {
            if (key === 'rename') return last;
            const value: unknown = Reflect.get(target, key, target);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
        result = await commitChangeSet([
          { path: one.file, transport: pool.transport({ host: '127.0.0.1', port: first.port }), action: 'update', content: 'new' },
          { path: two.file, transport: dropping, action: 'update', content: 'new' },
        ]);
      });
    } finally {
      configureWritePath({ warn: () => undefined });
      await first.start();
    }
    expect(result).toMatchObject({ written: [one.file, two.file] });
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^every file was written, but the change set's journal could not be removed \\(ssh://root@127\\.0\\.0\\.1:${first.port}: connection lost.*hapki recover ssh://root@127\\.0\\.0\\.1:${first.port}${one.dir}`))]);
    expect([readFileSync(one.file, 'utf8'), readFileSync(two.file, 'utf8')]).toEqual(['new', 'new']);
    // left as a crash at that point leaves it: the journal and the locks, settled by recovery
    expect(hapkiNames(one.dir).some((n) => n.endsWith('.journal'))).toBe(true);
    await withPool(async (pool) => {
      for (const host of [first, second]) registerTransport(pool.transport({ host: '127.0.0.1', port: host.port }));
      const holder = await lockHolderOf(pool.transport({ host: '127.0.0.1', port: first.port }), one.file);
      expect((await recoverChangeSet(deadFromHolder(holder!))).outcome).toBe('already-done');
    });
    expect([readFileSync(one.file, 'utf8'), readFileSync(two.file, 'utf8')]).toEqual(['new', 'new']);
    expect([...hapkiNames(one.dir), ...hapkiNames(two.dir)]).toEqual([]);
  });

  // Regression: `hapki recover ssh://host/dir` looked for a local directory named "ssh:/host/dir".
  it('hapki recover ssh://host/dir settles a distribute killed between its renames on two hosts', async () => {
    const local = tempDir('hapki-recover-remote-');
    const token = join(local, 't.p12');
    expect((await hapki(['token', 'issue', '--self-signed', '--subject', 'CN=Token K', '--out', token, '--outpass', 'env:STOREPASS'], { env })).code).toBe(0);
    const targets = [a, b].map((host) => {
      const dir = join(host.root, 'killed');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'gw.p12'), readFileSync(join(FIXTURES, 'gateway.p12')));
      return { host, dir, file: join(dir, 'gw.p12') };
    });
    const args = ['token', 'distribute', token, '--storepass', 'env:STOREPASS', ...targets.flatMap((t) => ['--to', remote(t.host, t.file)]), '--to-storepass', 'env:STOREPASS', ...sshFlags()];
    const killed = await hapki(args, { env: { ...env, HAPKI_TEST_CRASH_AT: 'renamed-1' } });
    expect(killed.code).not.toBe(0);
    const journalAt = targets.find((t) => readdirSync(t.dir).some((n) => n.endsWith('.journal')));
    expect(journalAt).toBeDefined();
    const recovered = await hapki(['recover', remote(journalAt!.host, journalAt!.dir), ...sshFlags()]);
    expect(recovered.stderr).not.toMatch(/ERR_/);
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toMatch(/recovered change [0-9a-f]{16}: rolled-forward/);
    for (const t of targets) expect(hapkiNames(t.dir)).toEqual([]);
    const tokens = await Promise.all(targets.map(async (t) => {
      const store = await readKeystore(new Uint8Array(readFileSync(t.file)), { password: FIXTURE_PASSWORD });
      const entry = store.entries.find((e) => e.alias === 'token');
      return entry?.type === 'private-key' ? Buffer.from(entry.chain[0]!).toString('hex') : undefined;
    }));
    expect(tokens[0]).toBeDefined();
    expect(tokens[1]).toBe(tokens[0]);
    // the other host's directory has nothing left to settle either
    const other = targets.find((t) => t !== journalAt)!;
    expect((await hapki(['recover', remote(other.host, other.dir), ...sshFlags()])).stdout).toBe('nothing to recover\n');
  });
});

describe('remote names with newlines, quotes, spaces and non-ASCII letters', () => {
  // Regression: such an ssh:// location was refused as malformed (ERR_SSH_LOCATION), though the
  // same path is fine on the local disk; and the write path's own names (lock, staged files) for a
  // keystore name with a newline were not recognised, so hapki recover left them behind for good.
  it('a killed import into one is settled by hapki recover ssh://host/dir, and the rerun adds the entry', async () => {
    const dir = join(a.root, "we'ird \"dir\"\nnext");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'gäte\nway ks.p12');
    writeFileSync(file, readFileSync(join(FIXTURES, 'gateway.p12')));
    const args = ['import', remote(a, file), '--alias', 'ca', '--trusted', join(FIXTURES, 'ca.pem'), '--storepass', 'env:STOREPASS', ...sshFlags()];
    const killed = await hapki(args, { env: { ...env, HAPKI_TEST_CRASH_AT: 'staged' } });
    expect(killed.code).not.toBe(0);
    expect(hapkiNames(dir).length).toBeGreaterThan(0);
    const recovered = await hapki(['recover', remote(a, dir), ...sshFlags()]);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toMatch(/^recovered change [0-9a-f]{16}: cleaned/m);
    expect(hapkiNames(dir)).toEqual([]);
    expect(readFileSync(file).equals(readFileSync(join(FIXTURES, 'gateway.p12')))).toBe(true);
    const rerun = await hapki(args, { env });
    expect(rerun.code, rerun.stderr).toBe(0);
    const store = await readKeystore(new Uint8Array(readFileSync(file)), { password: FIXTURE_PASSWORD });
    expect(store.entries.map((e) => e.alias).sort()).toEqual(['ca', 'example-root', 'server1']);
    expect(hapkiNames(dir)).toEqual([]);
  });
});

describe('the SFTP server dying while the connection stays up', () => {
  // Regression: ssh2 failed the requests in flight, but buffered every later one for a server
  // that would never answer: the change set's clean-up (removing what it staged, letting go of
  // its locks) waited for ever, and the command hung.
  it('fails the change with ERR_SSH_CONNECT naming the host instead of hanging; the next run writes and leaves nothing', { timeout: 60_000 }, async () => {
    const { dir, file } = remoteDir(a, 'sftpdies');
    await withPool(async (pool) => {
      const real = pool.transport({ host: '127.0.0.1', port: a.port });
      const createExclusive: FileTransport['createExclusive'] = async (path, bytes, mode, owner) => {
        await real.createExclusive(path, bytes, mode, owner);
        if (/\.hapki-[0-9a-f]{16}\.tmp$/.test(path)) expect(a.killSftpServers()).toBeGreaterThan(0);
      };
      const transport = new Proxy(real, {
        get(target, key) {
          if (key === 'createExclusive') return createExclusive;
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      const error = await Promise.race([
        commitChangeSet([{ path: file, transport, action: 'update', content: 'new' }]).catch((e: unknown) => e),
        new Promise((resolve) => setTimeout(() => resolve('hung'), 30_000)),
      ]);
      expect(error).toMatchObject({ code: 'ERR_SSH_CONNECT', message: expect.stringContaining(`ssh://root@127.0.0.1:${a.port}`) });
    });
    expect(readFileSync(file, 'utf8')).toBe('old');
    // this process's lock and staged file are left as a killed run leaves them; the next run settles them
    await withPool(async (pool) => {
      for (const host of [a]) registerTransport(pool.transport({ host: '127.0.0.1', port: host.port }));
      const holder = await lockHolderOf(pool.transport({ host: '127.0.0.1', port: a.port }), file);
      if (holder) await recoverChangeSet(deadFromHolder(holder));
      await commitChangeSet([{ path: file, transport: pool.transport({ host: '127.0.0.1', port: a.port }), action: 'update', content: 'new' }]);
    });
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(hapkiNames(dir)).toEqual([]);
  });
});

describe('a connection the host closes during the SSH handshake', () => {
  /** A TCP relay to a real sshd that closes the client's connection once the server's first bytes (its banner) are through. */
  async function closingAfterBanner(port: number): Promise<{ port: number; server: Server }> {
    const server = createServer((client) => {
      const upstream = connect(port, '127.0.0.1');
      client.on('data', (d) => upstream.write(d));
      upstream.once('data', (d) => {
        client.write(d);
        setImmediate(() => {
          client.end();
          upstream.destroy();
        });
      });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as { port: number }).port, server };
  }

  // Regression: ssh2 ends such a connection with 'close' and no 'error', and drops its ready
  // timeout with it: the connect waited for ever, and so did `apply` when a host's sshd went away
  // while hapki was connecting to it.
  it('is ERR_SSH_CONNECT naming the host, not a hang', { timeout: 60_000 }, async () => {
    const relay = await closingAfterBanner(a.port);
    try {
      await withPool(async (pool) => {
        const outcome = await Promise.race([
          pool.transport({ host: '127.0.0.1', port: relay.port }).lstat('/').catch((e: unknown) => e),
          new Promise((resolve) => setTimeout(() => resolve('hung'), 30_000)),
        ]);
        expect(outcome).toMatchObject({ code: 'ERR_SSH_CONNECT', message: `ssh://root@127.0.0.1:${relay.port}: the host closed the connection during the SSH handshake` });
      });
    } finally {
      relay.server.close();
    }
  });
});
