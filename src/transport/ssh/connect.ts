import type { Duplex } from 'node:stream';
import type { AuthenticationType, Client, ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { FileNotFoundError, HapkiError, IoError, PasswordRequiredError, SshAuthError, SshCommandError, SshConnectError, SshSudoError } from '../../errors.js';
import { readLocalFileBytes } from '../local_file.js';
import { hostLabel } from '../location.js';
import { knownHostsName, knownKeyTypes, loadKnownHosts, verifyHostKey } from './known_hosts.js';
import { defaultIdentityFiles, defaultKnownHostsFiles, defaultUser, type SshOptions } from './ssh_options.js';

export interface SshTarget {
  user?: string;
  host: string;
  port?: number;
  /** How messages name the host when it differs from user@host:port (an ssh_config alias). */
  label?: string;
  /** The name known_hosts lists the host by (ssh_config HostKeyAlias). */
  hostKeyAlias?: string;
}

export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

/** One authenticated connection to a host; its SFTP session is opened once, on first use. */
export interface SshSession {
  /** `ssh://user@host:port`, as messages name the host. */
  readonly label: string;
  readonly sudo: boolean;
  sftp(): Promise<SFTPWrapper>;
  /** Runs a command (through the login shell), output bounded, killed at the timeout. */
  exec(command: string, timeoutMs: number): Promise<ExecResult>;
  /** True once the connection has dropped. */
  readonly closed: boolean;
  /** Why it was closed, when hapki closed it (an SFTP server that stopped answering): what every later failure on it says. */
  readonly lostWhy: string | undefined;
  /**
   * The operation, or ERR_SSH_CONNECT as soon as the connection drops: a request in flight when
   * the host goes away is not always answered by ssh2, and must not hang the command.
   * `answered`: a request the host answers at once (an SFTP request): with no answer within the
   * stall bound (ServerAliveInterval × ServerAliveCountMax, default 30 s) the connection is closed
   * and the operation fails with ERR_SSH_CONNECT, as ssh drops a server that answers nothing.
   */
  guard<T>(operation: Promise<T>, what: string, answered?: boolean): Promise<T>;
  /** A TCP connection from the host to another (ProxyJump): the stream the next hop's SSH runs over. */
  forward(host: string, port: number, forWhom: string): Promise<Duplex>;
  close(): void;
}

const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
const SFTP_SERVERS = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/lib/ssh/sftp-server', '/usr/libexec/sftp-server', '/usr/lib/sftp-server'];
const MAX_EXEC_OUTPUT = 64 * 1024;

/**
 * Connects and authenticates, checking the host key against known_hosts before any credential
 * is offered. Every failure is an SshError naming the host: ERR_SSH_CONNECT, ERR_SSH_HOST_UNKNOWN,
 * ERR_SSH_HOST_KEY_MISMATCH, ERR_SSH_AUTH.
 */
export async function connectSsh(target: SshTarget, options: SshOptions = {}, sock?: Duplex): Promise<SshSession> {
  const port = target.port ?? 22;
  const user = target.user ?? options.user ?? defaultUser();
  const label = target.label ?? hostLabel({ user, host: target.host, port });
  const keyName = target.hostKeyAlias ?? target.host;
  // loaded on first use: commands on local files never pay for the SSH library
  const { Client, utils } = (await import('ssh2')).default;
  const knownFiles = options.knownHosts ?? defaultKnownHostsFiles();
  const known = await loadKnownHosts(knownFiles);
  const methods = await authMethods(user, label, options, utils);
  const knownTypes = knownKeyTypes(known, knownHostsName(keyName, target.hostKeyAlias ? 22 : port)).flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const client = new Client();
  let hostError: HapkiError | undefined;
  const tried: string[] = [];
  const config: ConnectConfig = {
    host: target.host,
    port,
    ...(sock ? { sock } : {}),
    username: user,
    readyTimeout: options.connectTimeoutMs ?? 15_000,
    keepaliveInterval: options.serverAlive?.intervalMs ?? 5_000,
    keepaliveCountMax: options.serverAlive?.countMax ?? 3,
    algorithms: { serverHostKey: [...new Set([...knownTypes, ...HOST_KEY_ALGORITHMS])] as never },
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      verifyHostKey({ files: knownFiles, acceptNew: options.acceptNewHostKeys ?? false }, known, label, keyName, target.hostKeyAlias ? 22 : port, key).then(
        () => verify(true),
        (error: HapkiError) => {
          hostError = error;
          verify(false);
        },
      );
    },
    authHandler: (_left: AuthenticationType[] | null, _partial: boolean | null, next: (method: never) => void) => {
      const method = methods.shift();
      if (method) tried.push(method.name);
      next((method?.method ?? false) as never);
    },
  };
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error & { level?: string }): void => {
      client.removeListener('ready', onReady);
      client.removeListener('close', onClose);
      client.end();
      if (hostError) reject(hostError);
      // sshd ends the connection after MaxAuthTries refused keys (an agent holding many)
      else if (/too many authentication failures/i.test(error.message)) reject(new SshAuthError(label, `${tried.join(', ') || 'no method'}; the host stopped after too many refused keys: name the key with --ssh-identity, or IdentitiesOnly yes in the ssh configuration`, { cause: error }));
      else if (error.level === 'client-authentication') reject(new SshAuthError(label, tried.length > 0 ? tried.join(', ') : 'no method: no agent, identity or password', { cause: error }));
      else reject(new SshConnectError(label, describeConnectError(error), { cause: error }));
    };
    const onReady = (): void => {
      client.removeListener('error', onError);
      client.removeListener('close', onClose);
      resolve();
    };
    // a connection the host closes mid-handshake (its sshd killed, a proxy dropping it) ends
    // with 'close' and no 'error', and ssh2's readyTimeout goes with it: the command hung
    const onClose = (): void => {
      client.removeListener('ready', onReady);
      if (hostError) reject(hostError);
      else reject(new SshConnectError(label, 'the host closed the connection during the SSH handshake'));
    };
    client.once('ready', onReady).once('error', onError).once('close', onClose);
    client.connect(config);
  });
  return new Session(client, label, options);
}

class Session implements SshSession {
  readonly sudo: boolean;
  #sftp: Promise<SFTPWrapper> | undefined;
  #closed = false;

  constructor(
    private readonly client: Client,
    readonly label: string,
    private readonly options: SshOptions,
  ) {
    this.sudo = options.sudo ?? false;
    // a dropped connection surfaces in the pending operations; the event itself must not crash the process
    client.on('error', () => undefined);
    client.on('close', () => this.#lose());
  }

  /** The connection (or its SFTP session) is gone: every operation waiting on it fails, and every later one. */
  #lose(): void {
    this.#closed = true;
    for (const lost of [...this.#pending]) lost();
    this.#pending.clear();
  }

  /**
   * The SFTP server ended while the connection stayed up (killed on the host, out of memory):
   * ssh2 fails the requests in flight but buffers later ones for a server that will never
   * answer, and the command hung in its clean-up. The session goes with it, as a dropped
   * connection does: ERR_SSH_CONNECT from then on.
   */
  #watch(sftp: SFTPWrapper): SFTPWrapper {
    const ended = (): void => {
      this.#lose();
      this.client.end();
    };
    sftp.once('end', ended).once('close', ended);
    return sftp;
  }

  readonly #pending = new Set<() => void>();

  guard<T>(operation: Promise<T>, what: string, answered = false): Promise<T> {
    if (this.#closed) {
      operation.catch(() => undefined);
      return Promise.reject(new SshConnectError(this.label, this.#lostWhy ?? `connection lost while trying to ${what}`));
    }
    return new Promise<T>((resolve, reject) => {
      const lost = (): void => {
        clearTimeout(timer);
        reject(new SshConnectError(this.label, this.#lostWhy ?? `connection lost while trying to ${what}`));
      };
      this.#pending.add(lost);
      // an SFTP server stopped or stalled on the host (the connection itself still answers ssh2's
      // keepalives) never answers, and ssh2 waits for ever: the command hung without end
      const stallMs = stallBoundMs(this.options);
      const timer = answered
        ? setTimeout(() => {
            this.#pending.delete(lost);
            this.#lostWhy ??= `no answer within ${Math.round(stallMs / 1000)}s while trying to ${what} (the SFTP server on the host is stalled): the connection was closed`;
            reject(new SshConnectError(this.label, this.#lostWhy));
            this.close();
          }, stallMs)
        : undefined;
      operation.then(
        (value) => {
          clearTimeout(timer);
          this.#pending.delete(lost);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.#pending.delete(lost);
          reject(error);
        },
      );
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  #lostWhy: string | undefined;

  get lostWhy(): string | undefined {
    return this.#lostWhy;
  }

  sftp(): Promise<SFTPWrapper> {
    this.#sftp ??= this.sudo ? this.#sudoSftp() : this.#plainSftp();
    return this.guard(this.#sftp, 'start SFTP', true);
  }

  exec(command: string, timeoutMs: number): Promise<ExecResult> {
    return this.guard(this.#exec(command, timeoutMs), 'run a command');
  }

  #exec(command: string, timeoutMs: number): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new SshConnectError(this.label, this.#lostWhy ?? 'connection lost'));
      this.client.exec(command, (error: Error | undefined, stream: ClientChannel) => {
        if (error) return reject(new SshCommandError(this.label, `the host would not run a command: ${oneLine(error.message).slice(0, 80)}`));
        // no input: a command (or a forced internal-sftp) reading it ends instead of waiting for the timeout
        stream.end();
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        let signal: string | undefined;
        const timer = setTimeout(() => {
          stream.signal('KILL');
          stream.close();
          reject(new SshCommandError(this.label, `command did not finish within ${Math.round(timeoutMs / 1000)}s`));
        }, timeoutMs);
        stream.on('data', (d: Buffer) => {
          if (stdout.length < MAX_EXEC_OUTPUT) stdout += d.toString('utf8');
        });
        stream.stderr.on('data', (d: Buffer) => {
          if (stderr.length < MAX_EXEC_OUTPUT) stderr += d.toString('utf8');
        });
        stream.on('exit', (c: number | null, s?: string) => {
          code = c;
          signal = s;
        });
        stream.on('close', () => {
          clearTimeout(timer);
          resolve({ code, ...(signal ? { signal } : {}), stdout: stdout.slice(0, MAX_EXEC_OUTPUT), stderr: stderr.slice(0, MAX_EXEC_OUTPUT) });
        });
      });
    });
  }

  close(): void {
    this.#closed = true;
    this.client.end();
  }

  forward(host: string, port: number, forWhom: string): Promise<Duplex> {
    return this.guard(
      new Promise<Duplex>((resolve, reject) => {
        this.client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
          if (error) reject(new SshConnectError(forWhom, `the jump host ${this.label} could not connect to ${host}:${port} (${oneLine(error.message).slice(0, 80)})`, { cause: error }));
          else resolve(channel);
        });
      }),
      `reach ${forWhom} through it`,
    );
  }

  #plainSftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
      this.client.sftp((error, sftp) => {
        if (error) reject(new SshConnectError(this.label, `the SFTP subsystem would not start: ${sftpStartProblem(error)}`, { cause: error }));
        else resolve(this.#watch(sftp));
      });
    });
  }

  /**
   * The SFTP server run as root through `sudo -n`, as Ansible's become does: the server's path
   * is found without sudo, so a sudoers rule may name that one program. ssh2 only starts SFTP as
   * a subsystem, so its subsystem request on the new channel is swapped for an exec request
   * (both are channel requests answered the same way).
   */
  async #sudoSftp(): Promise<SFTPWrapper> {
    const server = this.options.sftpServer ?? (await this.#findSftpServer());
    const check = await this.exec(`sudo -n true`, 15_000);
    if (check.code !== 0) throw new SshSudoError(this.label, oneLine(check.stderr) || `exit code ${check.code}`);
    const protocol = (this.client as unknown as { _protocol: { subsystem: (...a: unknown[]) => unknown; exec: (...a: unknown[]) => unknown } })._protocol;
    const subsystem = protocol.subsystem;
    protocol.subsystem = function (this: unknown, channel: unknown, _name: unknown, wantReply: unknown) {
      protocol.subsystem = subsystem;
      return protocol.exec.call(this, channel, `sudo -n ${server}`, wantReply);
    };
    try {
      return await new Promise<SFTPWrapper>((resolve, reject) => {
        this.client.sftp((error, sftp) => {
          if (error) reject(new SshSudoError(this.label, `${server} would not start through sudo -n (${error.message})`));
          else resolve(this.#watch(sftp));
        });
      });
    } finally {
      protocol.subsystem = subsystem;
    }
  }

  async #findSftpServer(): Promise<string> {
    const script = `for p in ${SFTP_SERVERS.join(' ')}; do if [ -x "$p" ]; then echo "$p"; exit 0; fi; done; exit 127`;
    const found = await this.exec(script, 15_000);
    const path = found.stdout.trim();
    if (found.code !== 0 || !path.startsWith('/')) throw new SshSudoError(this.label, 'no sftp-server found on the host (give its path in ssh.sftpServer)');
    return path;
  }
}

type SshUtils = (typeof import('ssh2'))['utils'];

interface NamedMethod {
  name: string;
  method: unknown;
}

/** Largest SSH private key file hapki reads. */
const MAX_IDENTITY_BYTES = 1024 * 1024;

/**
 * The named key first (--ssh-identity, else the ssh configuration's IdentityFile lines), then the
 * agent, then ssh's default key files when there is neither, then a password only if one was
 * given. A named key goes before the agent's keys: a server stops after MaxAuthTries (6) refused
 * keys, and an agent holding many would use them up before the key meant for the host.
 */
async function authMethods(username: string, label: string, options: SshOptions, utils: SshUtils): Promise<NamedMethod[]> {
  const methods: NamedMethod[] = [];
  const agent = options.agent === false ? undefined : (options.agent ?? process.env.SSH_AUTH_SOCK);
  if (options.identity !== undefined) {
    methods.push({ name: `key ${options.identity}`, method: { type: 'publickey', username, key: await loadIdentity(options.identity, options.identityPassphrase, label, utils) } });
  }
  for (const file of options.identity === undefined ? (options.identityFiles ?? []) : []) {
    // as ssh: a configured key that is missing or cannot be used without a prompt is passed over
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await readLocalFileBytes(file, MAX_IDENTITY_BYTES));
    } catch {
      continue;
    }
    const parsed = utils.parseKey(bytes, options.identityPassphrase);
    if (parsed instanceof Error) continue;
    methods.push({ name: `key ${file}`, method: { type: 'publickey', username, key: (Array.isArray(parsed) ? parsed[0] : parsed) as unknown as Buffer } });
  }
  if (agent) methods.push({ name: 'ssh-agent', method: { type: 'agent', username, agent } });
  if (options.identity === undefined && (options.identityFiles ?? []).length === 0 && !agent) {
    for (const file of defaultIdentityFiles()) {
      let bytes: Buffer;
      try {
        bytes = Buffer.from(await readLocalFileBytes(file, MAX_IDENTITY_BYTES));
      } catch {
        continue;
      }
      const parsed = utils.parseKey(bytes);
      if (!(parsed instanceof Error)) methods.push({ name: `key ${file}`, method: { type: 'publickey', username, key: bytes } });
    }
  }
  if (options.password !== undefined) methods.push({ name: 'password', method: { type: 'password', username, password: options.password } });
  return methods;
}

// a regular file of bounded size: a FIFO would block the command, /dev/zero would fill memory
async function loadIdentity(file: string, passphrase: string | undefined, label: string, utils: SshUtils): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = Buffer.from(await readLocalFileBytes(file, MAX_IDENTITY_BYTES, 'an SSH private key'));
  } catch (error) {
    if (error instanceof FileNotFoundError || error instanceof IoError) throw new IoError(`cannot read the SSH identity: ${error.message}`, { cause: error });
    throw error;
  }
  const parsed = utils.parseKey(bytes, passphrase);
  if (parsed instanceof Error) {
    if (/encrypted/i.test(parsed.message) && passphrase === undefined) throw new PasswordRequiredError(`the SSH identity ${file} is encrypted: give --ssh-identity-password`);
    if (/encrypted|decrypt|passphrase|bad/i.test(parsed.message) && passphrase !== undefined) throw new SshAuthError(label, `key ${file}: its passphrase is wrong`);
    throw new HapkiError('ERR_IO', `${file} is not an SSH private key hapki can use`);
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key as unknown as Buffer;
}

function describeConnectError(error: Error & { level?: string; code?: string }): string {
  if (error.level === 'client-timeout') return 'timed out connecting';
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return 'host name does not resolve';
  if (error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH') return 'host unreachable';
  if (error.code === 'ECONNRESET') return 'connection reset';
  if (error.code === 'ETIMEDOUT') return 'timed out connecting';
  return `SSH handshake failed (${oneLine(error.message).slice(0, 120)})`;
}

/**
 * Why the SFTP server did not start, in words: a login shell that refuses the account (nologin)
 * or prints on start-up answers the subsystem request with text, which ssh2 reads as an absurd
 * packet length ("This" is 1416128883).
 */
function sftpStartProblem(error: Error): string {
  const length = /Packet length (\d+) exceeds/.exec(error.message);
  if (length) {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(Number(length[1]) >>> 0);
    if (/^[\x20-\x7e]{4}$/.test(bytes.toString('latin1'))) return 'the host answered with text, not SFTP: the account\'s login shell refuses it (nologin: give it ForceCommand internal-sftp) or prints on start-up';
  }
  return oneLine(error.message).slice(0, 120);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/** How long an SFTP request may go unanswered: ServerAliveInterval × ServerAliveCountMax where the ssh configuration sets them, else 30 s. */
function stallBoundMs(options: SshOptions): number {
  const alive = options.serverAlive;
  return alive && alive.intervalMs > 0 ? alive.intervalMs * Math.max(alive.countMax, 1) : 30_000;
}
