import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshPool } from '../../src/transport/ssh/pool.js';
import { commitChangeSet, type FileChange } from '../../src/txn/change_set.js';
import type { SshOptions } from '../../src/transport/ssh/ssh_options.js';
import { createSshLab, createSudoUser, type SshHost, type SshLab } from '../helpers/sshd.js';
import { hapki } from '../helpers/cli.js';
import { swappingStagedFile } from '../helpers/racing_transport.js';
import { FIXTURE_PASSWORD, FIXTURES } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';

const SUDO_USER = 'hapkissh';

let lab: SshLab;
let a: SshHost;
let b: SshHost;
let removeUser: () => void;

beforeAll(async () => {
  lab = createSshLab();
  a = await lab.addHost('a');
  b = await lab.addHost('b');
  removeUser = createSudoUser(SUDO_USER);
});

afterAll(() => {
  lab?.stop();
  removeUser?.();
});

function options(extra: SshOptions = {}): SshOptions {
  return { identity: lab.clientKey, knownHosts: [lab.knownHosts], agent: false, user: 'root', ...extra };
}

async function withPool<T>(opts: SshOptions, run: (pool: SshPool) => Promise<T>): Promise<T> {
  const pool = new SshPool(opts);
  try {
    return await run(pool);
  } finally {
    await pool.close();
  }
}

function fingerprintOf(host: SshHost): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(lab.dir, host.name, 'ssh_host_ed25519_key.pub')], { encoding: 'utf8' });
  return out.split(/\s+/)[1]!;
}

describe('SFTP transport', () => {
  it('creates exclusively, reads, renames atomically, keeps modes, lists and removes', async () => {
    await withPool(options(), async (pool) => {
      const t = pool.transport({ host: '127.0.0.1', port: a.port });
      const dir = join(a.root, 'opt');
      mkdirSync(dir, { recursive: true });
      await t.createExclusive(`${dir}/ks.tmp`, new Uint8Array([1, 2, 3]), 0o640);
      await expect(t.createExclusive(`${dir}/ks.tmp`, new Uint8Array([9]), 0o600)).rejects.toMatchObject({ code: 'ERR_FILE_EXISTS' });
      expect(statSync(`${dir}/ks.tmp`).mode & 0o777).toBe(0o640);
      await t.rename(`${dir}/ks.tmp`, `${dir}/ks.p12`);
      expect([...(await t.readFile(`${dir}/ks.p12`, 100))]).toEqual([1, 2, 3]);
      await expect(t.readFile(`${dir}/ks.p12`, 2)).rejects.toMatchObject({ code: 'ERR_IO' });
      await expect(t.readFile(dir, 100)).rejects.toMatchObject({ code: 'ERR_IO' });
      await expect(t.readFile(`${dir}/absent`, 100)).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
      expect(await t.lstat(`${dir}/ks.p12`)).toMatchObject({ type: 'file', size: 3, mode: 0o640, uid: 0 });
      expect(await t.lstat(`${dir}/absent`)).toBeUndefined();
      await t.chmod(`${dir}/ks.p12`, 0o600);
      expect(statSync(`${dir}/ks.p12`).mode & 0o777).toBe(0o600);
      expect(await t.readdir(dir)).toEqual(['ks.p12']);
      expect(await t.identity()).toEqual({ uid: 0, gid: 0 });
      await t.unlink(`${dir}/ks.p12`);
      await t.unlink(`${dir}/ks.p12`);
      expect(await t.readdir(dir)).toEqual([]);
    });
  });

  // Regression: a staged file's owner and mode were set by name (SETSTAT follows links on the
  // server), so whoever could write in the directory swapped it for a link to /etc/shadow in
  // between and had it chowned to the keystore's owner and chmodded to its mode.
  it("a staged file swapped for a link before its owner and mode are set: the link's target is left as it was", async () => {
    await withPool(options(), async (pool) => {
      const dir = join(a.root, 'swap');
      mkdirSync(dir, { recursive: true });
      const victim = join(dir, 'shadow');
      writeFileSync(victim, 'root:$6$secret:::', { mode: 0o600 });
      const ks = join(dir, 'gw.p12');
      writeFileSync(ks, 'old', { mode: 0o644 });
      chownSync(ks, 65534, 65534);
      const transport = swappingStagedFile(pool.transport({ host: '127.0.0.1', port: a.port }), victim);
      await expect(commitChangeSet([{ path: ks, transport, action: 'update', content: 'new' }])).rejects.toMatchObject({ code: 'ERR_IO' });
      const after = statSync(victim);
      expect([after.uid, after.gid, after.mode & 0o777, readFileSync(victim, 'utf8')]).toEqual([0, 0, 0o600, 'root:$6$secret:::']);
      expect(readFileSync(ks, 'utf8')).toBe('old');
    });
  });

  it('refuses a FIFO without opening it (the remote sftp-server would block)', async () => {
    const fifo = join(a.root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await withPool(options(), async (pool) => {
      await expect(pool.transport({ host: '127.0.0.1', port: a.port }).readFile(fifo, 100)).rejects.toMatchObject({ code: 'ERR_IO' });
    });
  });

  it('uses one connection per host for many operations', async () => {
    await withPool(options(), async (pool) => {
      const t = pool.transport({ host: '127.0.0.1', port: a.port });
      const s1 = await pool.session({ host: '127.0.0.1', port: a.port });
      await Promise.all([t.lstat('/'), t.lstat('/tmp'), t.readdir(a.root)]);
      expect(await pool.session({ host: '127.0.0.1', port: a.port, user: 'root' })).toBe(s1);
    });
  });
});

describe('host keys', () => {
  it('refuses an unknown host with its SHA-256 fingerprint', async () => {
    lab.writeKnownHosts([b.knownHostsLine]);
    try {
      const error = await withPool(options(), (pool) => pool.transport({ host: '127.0.0.1', port: a.port }).lstat('/')).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_SSH_HOST_UNKNOWN' });
      expect((error as Error).message).toContain(fingerprintOf(a));
      expect((error as Error).message).toContain(`127.0.0.1:${a.port}`);
    } finally {
      lab.writeKnownHosts();
    }
  });

  it('refuses a changed key', async () => {
    lab.writeKnownHosts([`[127.0.0.1]:${a.port} ssh-ed25519 ${b.hostKey}`]);
    try {
      await expect(withPool(options(), (pool) => pool.transport({ host: '127.0.0.1', port: a.port }).lstat('/'))).rejects.toMatchObject({ code: 'ERR_SSH_HOST_KEY_MISMATCH' });
    } finally {
      lab.writeKnownHosts();
    }
  });

  it('matches hashed entries (ssh-keygen -H) and keeps ports apart', async () => {
    const file = join(lab.dir, 'hashed_known_hosts');
    writeFileSync(file, `${a.knownHostsLine}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    await withPool(options({ knownHosts: [file] }), (pool) => pool.transport({ host: '127.0.0.1', port: a.port }).lstat('/'));
    // the entry for port 22 is not the entry for another port
    writeFileSync(file, `127.0.0.1 ssh-ed25519 ${a.hostKey}\n`);
    await expect(withPool(options({ knownHosts: [file] }), (pool) => pool.transport({ host: '127.0.0.1', port: a.port }).lstat('/'))).rejects.toMatchObject({ code: 'ERR_SSH_HOST_UNKNOWN' });
  });

  it('accept-new adds an unknown host once and still refuses a changed one', async () => {
    const file = join(lab.dir, 'new_known_hosts');
    writeFileSync(file, '');
    await withPool(options({ knownHosts: [file], acceptNewHostKeys: true }), (pool) => pool.transport({ host: '127.0.0.1', port: a.port }).lstat('/'));
    expect(readFileSync(file, 'utf8')).toBe(`${a.knownHostsLine}\n`);
    writeFileSync(file, `[127.0.0.1]:${a.port} ssh-ed25519 ${b.hostKey}\n`);
    await expect(withPool(options({ knownHosts: [file], acceptNewHostKeys: true }), (pool) => pool.transport({ host: '127.0.0.1', port: a.port }).lstat('/'))).rejects.toMatchObject({ code: 'ERR_SSH_HOST_KEY_MISMATCH' });
  });
});

describe('authentication and connection failures', () => {
  it('refuses a key the host does not authorize, naming the host', async () => {
    const other = join(lab.dir, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const error = await withPool(options({ identity: other }), (pool) => pool.transport({ host: '127.0.0.1', port: a.port }).lstat('/')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_SSH_AUTH' });
    expect((error as Error).message).toContain(`ssh://root@127.0.0.1:${a.port}`);
  });

  it('reads an encrypted identity with its passphrase and refuses a wrong one', async () => {
    const locked = join(lab.dir, 'locked');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'sesame', '-f', locked]);
    writeFileSync(join(lab.dir, 'authorized_keys'), `${lab.clientPublicKey}\n${readFileSync(`${locked}.pub`, 'utf8')}`);
    await withPool(options({ identity: locked, identityPassphrase: 'sesame' }), (pool) => pool.transport({ host: '127.0.0.1', port: a.port }).lstat('/'));
    await expect(withPool(options({ identity: locked }), (pool) => pool.transport({ host: '127.0.0.1', port: a.port }).lstat('/'))).rejects.toMatchObject({ code: 'ERR_PASSWORD_REQUIRED' });
    await expect(withPool(options({ identity: locked, identityPassphrase: 'wrong' }), (pool) => pool.transport({ host: '127.0.0.1', port: a.port }).lstat('/'))).rejects.toMatchObject({ code: 'ERR_SSH_AUTH' });
  });

  it('authenticates through ssh-agent', async () => {
    const sock = join(lab.dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsQuiet(sock); i++) await new Promise((r) => setTimeout(r, 20));
      execFileSync('ssh-add', ['-q', lab.clientKey], { env: { SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const { identity: _none, ...rest } = options();
      await withPool({ ...rest, agent: sock }, (pool) => pool.transport({ host: '127.0.0.1', port: a.port }).lstat('/'));
    } finally {
      agent.kill('SIGKILL');
    }
  });

  it('says so when nothing listens', async () => {
    const port = b.port;
    b.kill();
    try {
      await expect(withPool(options(), (pool) => pool.transport({ host: '127.0.0.1', port }).lstat('/'))).rejects.toMatchObject({ code: 'ERR_SSH_CONNECT' });
    } finally {
      await b.start();
    }
  });

  it('turns a connection dropped mid-command into ERR_SSH_CONNECT', async () => {
    await withPool(options(), async (pool) => {
      const t = pool.transport({ host: '127.0.0.1', port: b.port });
      await t.lstat('/');
      b.kill();
      try {
        await expect(t.readdir('/')).rejects.toMatchObject({ code: 'ERR_SSH_CONNECT' });
      } finally {
        await b.start();
      }
    });
  });
});

describe('sudo', () => {
  it('reaches a file of another user only through sudo -n', async () => {
    const dir = join(b.root, 'svc');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o700);
    writeFileSync(join(dir, 'ks.p12'), 'secret', { mode: 0o600 });
    chownSync(dir, 0, 0);
    const plain = options({ user: SUDO_USER });
    await expect(withPool(plain, (pool) => pool.transport({ host: '127.0.0.1', port: b.port }).readFile(join(dir, 'ks.p12'), 100))).rejects.toMatchObject({ code: 'ERR_SSH_PERMISSION' });
    await withPool(options({ user: SUDO_USER, sudo: true }), async (pool) => {
      const t = pool.transport({ host: '127.0.0.1', port: b.port });
      expect(Buffer.from(await t.readFile(join(dir, 'ks.p12'), 100)).toString()).toBe('secret');
      await t.createExclusive(join(dir, 'new.tmp'), Buffer.from('new'), 0o600);
      await t.rename(join(dir, 'new.tmp'), join(dir, 'ks.p12'));
      expect(await t.identity()).toEqual({ uid: 0, gid: 0 });
    });
    expect(readFileSync(join(dir, 'ks.p12'), 'utf8')).toBe('new');
    expect(statSync(join(dir, 'ks.p12')).uid).toBe(0);
  });

  it('says ERR_SSH_SUDO when sudo -n is not allowed', async () => {
    await expect(withPool(options({ user: SUDO_USER, sudo: true, sftpServer: '/bin/cat' }), (pool) => pool.transport({ host: '127.0.0.1', port: b.port }).lstat('/'))).rejects.toMatchObject({ code: 'ERR_SSH_SUDO' });
  });
});

function existsQuiet(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

describe('change sets over two hosts', () => {
  it('two at once over the same files on two hosts: both commit, one after the other, the same order on each host', async () => {
    const files = [join(a.root, 'both', 'f'), join(b.root, 'both', 'f')];
    for (const f of files) {
      mkdirSync(join(f, '..'), { recursive: true });
      writeFileSync(f, '');
    }
    await withPool(options(), async (pool) => {
      const hosts = [pool.transport({ host: '127.0.0.1', port: a.port }), pool.transport({ host: '127.0.0.1', port: b.port })];
      const change = (tag: string): FileChange[] =>
        files.map((path, i) => ({ path, transport: hosts[i]!, action: 'update', content: (current) => `${Buffer.from(current ?? new Uint8Array()).toString()}${tag}\n` }));
      // each locks both hosts at once without waiting; whichever finds a lock taken lets go and waits in order
      await Promise.all(['one', 'two', 'three'].map((tag) => commitChangeSet(change(tag))));
    });
    const [onA, onB] = files.map((f) => readFileSync(f, 'utf8'));
    expect(onA!.trim().split('\n').sort()).toEqual(['one', 'three', 'two']);
    expect(onB).toBe(onA);
  });

  // separate hapki processes, as two operators or two cron jobs run them: the locks are the hosts' files, not one process's memory
  const sshFlags = (): string[] => ['--known-hosts', lab.knownHosts, '--ssh-identity', lab.clientKey, '--ssh-user', 'root'];
  const env = { STOREPASS: FIXTURE_PASSWORD };

  it('four hapki processes importing into one keystore over SSH at once: every entry lands, nothing is left behind', async () => {
    const dir = join(a.root, 'four');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'trust.p12'), readFileSync(join(FIXTURES, 'gateway.p12')));
    const local = tempDir('hapki-four-');
    const pems = [0, 1, 2, 3].map((i) => {
      const pem = join(local, `ca${i}.pem`);
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(local, `ca${i}.key`), '-subj', `/CN=Four CA ${i}`, '-days', '30', '-out', pem], { stdio: 'ignore' });
      return pem;
    });
    const remote = `ssh://root@127.0.0.1:${a.port}${dir}/trust.p12`;
    const runs = await Promise.all(pems.map((pem, i) => hapki(['import', remote, '--alias', `ca${i}`, '--trusted', pem, '--storepass', 'env:STOREPASS', ...sshFlags()], { env })));
    expect(runs.map((r) => [r.code, r.stderr.replace(/^hapki: (wrote|added).*\n/gm, '')])).toEqual([0, 1, 2, 3].map(() => [0, '']));
    const store = await readKeystore(new Uint8Array(readFileSync(join(dir, 'trust.p12'))), { password: FIXTURE_PASSWORD });
    expect(store.entries.map((e) => e.alias).sort()).toEqual(['ca0', 'ca1', 'ca2', 'ca3', 'example-root', 'server1']);
    // no lock, journal or staged copy left on the host
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('two hapki processes distributing different tokens to the same two hosts at once: both hosts end with the same one', async () => {
    const local = tempDir('hapki-two-tokens-');
    for (const t of ['a', 'b']) {
      const made = await hapki(['token', 'issue', '--self-signed', '--subject', `CN=Token ${t}`, '--out', join(local, `${t}.p12`), '--outpass', 'env:STOREPASS'], { env });
      expect(made.code, made.stderr).toBe(0);
    }
    const targets = [a, b].map((host, i) => {
      const dir = join(host.root, 'tokens');
      mkdirSync(dir, { recursive: true });
      const name = i === 0 ? 'gw.p12' : 'gw.jks';
      writeFileSync(join(dir, name), readFileSync(join(FIXTURES, i === 0 ? 'gateway.p12' : 'gateway.jks')));
      return { local: join(dir, name), remote: `ssh://root@127.0.0.1:${host.port}${dir}/${name}` };
    });
    const runs = await Promise.all(['a', 'b'].map((t) => hapki(['token', 'distribute', join(local, `${t}.p12`), '--storepass', 'env:STOREPASS', ...targets.flatMap((x) => ['--to', x.remote]), '--to-storepass', 'env:STOREPASS', ...sshFlags()], { env })));
    // at least one went through; one that did not said why in one coded line
    expect(runs.some((r) => r.code === 0)).toBe(true);
    for (const r of runs.filter((x) => x.code !== 0)) expect(r.stderr).toMatch(/^hapki: [^\n]+ \(ERR_[A-Z_]+\)\n$/m);
    const tokens = await Promise.all(targets.map(async (x) => {
      const store = await readKeystore(new Uint8Array(readFileSync(x.local)), { password: FIXTURE_PASSWORD });
      const token = store.entries.find((e) => e.alias === 'token');
      return token?.type === 'private-key' ? Buffer.from(token.chain[0]!).toString('hex') : undefined;
    }));
    expect(tokens[0]).toBeDefined();
    expect(tokens[1]).toBe(tokens[0]);
    const check = await hapki(['token', 'check', ...targets.flatMap((x) => ['--to', x.remote]), '--to-storepass', 'env:STOREPASS', ...sshFlags()], { env });
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  it('a host that cannot be reached stops the change before anything is staged or renamed on the other', async () => {
    const file = join(a.root, 'down', 'f');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, 'old\n');
    const port = b.port;
    b.kill();
    try {
      await withPool(options(), async (pool) => {
        const changes: FileChange[] = [
          { path: file, transport: pool.transport({ host: '127.0.0.1', port: a.port }), action: 'update', content: 'new\n' },
          { path: '/tmp/f', transport: pool.transport({ host: '127.0.0.1', port }), action: 'update', content: 'new\n' },
        ];
        await expect(commitChangeSet(changes)).rejects.toMatchObject({ code: 'ERR_SSH_CONNECT', message: expect.stringContaining(`ssh://root@127.0.0.1:${port}`) });
      });
    } finally {
      await b.start();
    }
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    expect(readdirSync(join(file, '..'))).toEqual(['f']);
  });
});
