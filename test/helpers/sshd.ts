import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export { freePort };

/**
 * Real OpenSSH servers on 127.0.0.1 for the SSH tests: each with its own host key, port,
 * configuration and directory tree, started and stopped by the test. One client key is made per
 * SshLab and authorized for every user the servers let in.
 */
export interface SshHost {
  name: string;
  port: number;
  /** This host's files live under here (the "remote" filesystem, on this machine). */
  root: string;
  /** `[127.0.0.1]:port ssh-ed25519 AAAA...`, the line a known_hosts file holds for it. */
  knownHostsLine: string;
  /** The host key's public blob, base64. */
  hostKey: string;
  /** Stops the server and every session it runs (the host "drops off the network"). */
  kill(): void;
  /** Starts it again on the same port with the same key. */
  start(): Promise<void>;
  /** Kills this server's sftp-server processes only: the connections stay up (the count killed). */
  killSftpServers(): number;
  /** Kills every connection's processes, the listening sshd stays: the next connection works (the count killed). */
  dropConnections(): number;
}

export interface SshLab {
  dir: string;
  /** The client's private key (unencrypted) and public key line. */
  clientKey: string;
  clientPublicKey: string;
  /** A known_hosts file listing every host started so far. */
  knownHosts: string;
  hosts: SshHost[];
  /** `sftpServer`: the sshd `Subsystem sftp` command (default: OpenSSH's sftp-server as installed). */
  /** `sessionEnv`: variables sshd sets in every session (BASH_ENV names a file bash reads first). */
  /** `config`: more sshd_config lines, after the others (a Match block, AllowTcpForwarding no). */
  addHost(name: string, options?: { sftpServer?: string; sessionEnv?: Record<string, string>; config?: string[] }): Promise<SshHost>;
  /** Writes the known_hosts file from the hosts' lines. */
  writeKnownHosts(lines?: string[]): void;
  stop(): void;
}

const SSHD = '/usr/sbin/sshd';

export function sshdAvailable(): boolean {
  return existsSync(SSHD);
}

export function createSshLab(): SshLab {
  if (!sshdAvailable()) throw new Error('openssh-server is not installed: run scripts/setup.sh');
  const dir = mkdtempSync(join(tmpdir(), 'hapki-sshd-'));
  chmodSync(dir, 0o755);
  // sshd refuses to start without its privilege separation directory
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const clientKey = join(dir, 'client_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hapki-test', '-f', clientKey]);
  const clientPublicKey = readFileSync(`${clientKey}.pub`, 'utf8').trim();
  writeFileSync(join(dir, 'authorized_keys'), `${clientPublicKey}\n`, { mode: 0o644 });
  const knownHosts = join(dir, 'known_hosts');
  const hosts: SshHost[] = [];
  const lab: SshLab = {
    dir,
    clientKey,
    clientPublicKey,
    knownHosts,
    hosts,
    async addHost(name, options) {
      const host = await startHost(dir, name, options?.sftpServer, options?.sessionEnv, options?.config);
      hosts.push(host);
      lab.writeKnownHosts();
      return host;
    },
    writeKnownHosts(lines) {
      writeFileSync(knownHosts, `${(lines ?? hosts.map((h) => h.knownHostsLine)).join('\n')}\n`);
    },
    stop() {
      for (const h of hosts) h.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return lab;
}

/** The sftp-server OpenSSH installs here (internal-sftp where there is none). */
export function installedSftpServer(): string {
  return ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server'].find((p) => existsSync(p)) ?? 'internal-sftp';
}

async function startHost(labDir: string, name: string, subsystem?: string, sessionEnv: Record<string, string> = {}, extra: string[] = []): Promise<SshHost> {
  const home = join(labDir, name);
  const root = join(home, 'root');
  mkdirSync(root, { recursive: true, mode: 0o755 });
  chmodSync(home, 0o755);
  const hostKeyFile = join(home, 'ssh_host_ed25519_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', hostKeyFile]);
  const hostKey = readFileSync(`${hostKeyFile}.pub`, 'utf8').trim().split(/\s+/)[1]!;
  const port = await freePort();
  const sftpServer = subsystem ?? installedSftpServer();
  writeFileSync(
    join(home, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyFile}`,
      `PidFile ${join(home, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(labDir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'LogLevel ERROR',
      // bash started by sshd reads ~/.bashrc, and this machine's root .bashrc runs `pyenv init`: every remote
      // command paid for it, and a session killed part way (host.kill()) left pyenv's lock behind, stalling
      // every later session 60 s (ERR_SSH_COMMAND). With SHLVL set, bash takes the session for a nested shell.
      `SetEnv SHLVL=1${Object.entries(sessionEnv).map(([k, v]) => ` ${k}=${v}`).join('')}`,
      `Subsystem sftp ${sftpServer}`,
      ...extra,
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  const host: SshHost = {
    name,
    port,
    root,
    hostKey,
    knownHostsLine: `[127.0.0.1]:${port} ssh-ed25519 ${hostKey}`,
    kill() {
      if (child?.pid === undefined) return;
      for (const pid of descendants(child.pid)) tryKill(pid);
      tryKill(child.pid);
      child = undefined;
    },
    dropConnections() {
      if (child?.pid === undefined) return 0;
      const sessions = descendants(child.pid);
      for (const pid of sessions) tryKill(pid);
      return sessions.length;
    },
    killSftpServers() {
      if (child?.pid === undefined) return 0;
      const servers = descendants(child.pid).filter((pid) => commandOf(pid) === 'sftp-server');
      for (const pid of servers) tryKill(pid);
      return servers.length;
    },
    async start() {
      child = spawn(SSHD, ['-D', '-e', '-f', join(home, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      await waitForPort(port, () => (child?.exitCode !== null ? `sshd ${name} exited: ${stderr.trim()}` : undefined));
    },
  };
  await host.start();
  return host;
}

async function waitForPort(port: number, failed: () => string | undefined): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 200; i++) {
    const why = failed();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sshd on port ${port} did not start`);
}

/** Every process below pid (sshd's per-connection processes call setsid, so a process group kill misses them). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * A local user that logs in over SSH and may run only the SFTP server (and `true`) as root
 * through `sudo -n`: the service-account setup the sudo tests need. Root only; removed by the
 * returned function.
 */
export function createSudoUser(name: string): () => void {
  const removeUser = createTestUser(name, '/bin/sh', 'the sudo tests create a user and a sudoers rule');
  const server = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server'].find((p) => existsSync(p))!;
  const rule = `/etc/sudoers.d/hapki-test-${name}`;
  writeFileSync(rule, `${name} ALL=(root) NOPASSWD: ${server}, /usr/bin/true, /bin/true\n`, { mode: 0o440 });
  execFileSync('visudo', ['-cqf', rule]);
  return () => {
    rmSync(rule, { force: true });
    removeUser();
  };
}

/**
 * A local user with this login shell that sshd lets in with a key (its password field `*`, not a
 * locked `!`), made if missing. Root only (`why` says what needs it); the returned function
 * removes the user if it was made here.
 */
export function createTestUser(name: string, shell: string, why: string): () => void {
  if (process.getuid?.() !== 0) throw new Error(`${why}: run them as root (CI does)`);
  let created = false;
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-M', '-s', shell, name]);
    created = true;
  }
  // an account with "!" in its password field is locked, and sshd without PAM refuses it even a key
  execFileSync('usermod', ['-p', '*', '-s', shell, name]);
  return () => {
    if (created) execFileSync('userdel', [name], { stdio: 'ignore' });
  };
}
