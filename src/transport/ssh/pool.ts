import { hostLabel } from '../location.js';
import type { SshSession, SshTarget } from './connect.js';
import { SftpTransport } from './sftp_transport.js';
import { defaultUser, type SshOptions } from './ssh_options.js';

/**
 * One connection per host for the length of a command: every file, lock and command on a host
 * goes through the same session. A connection that failed is not retried within the command
 * (the error is kept), so a down host costs one timeout, not one per file.
 */
export class SshPool {
  #options: SshOptions;
  readonly #sessions = new Map<string, Promise<SshSession>>();
  readonly #transports = new Map<string, SftpTransport>();

  constructor(options: SshOptions = {}) {
    this.#options = options;
  }

  get options(): SshOptions {
    return this.#options;
  }

  /** Changes the options for connections not yet made (the CLI sets them once its flags are read). */
  configure(options: SshOptions): void {
    this.#options = { ...this.#options, ...options };
  }

  /** Fills in options not set yet (a cluster file's ssh: section, under the command line's flags). */
  configureDefaults(options: SshOptions): void {
    this.#options = { ...options, ...this.#options };
  }

  session(target: SshTarget): Promise<SshSession> {
    const key = this.#key(target);
    let session = this.#sessions.get(key);
    if (session === undefined) {
      // the SSH client (and its known_hosts and key handling) loads when a command first connects
      const options = this.#options;
      session = import('./connect.js').then(({ connectSsh }) => connectSsh(target, options));
      session.catch(() => undefined);
      this.#sessions.set(key, session);
    }
    return session;
  }

  /** The FileTransport for a host (one per host, over the host's one session). */
  transport(target: SshTarget): SftpTransport {
    const key = this.#key(target);
    let transport = this.#transports.get(key);
    if (transport === undefined) {
      transport = new SftpTransport(key, () => this.session(target));
      this.#transports.set(key, transport);
    }
    return transport;
  }

  /** Closes every connection; the pool can be used again afterwards. */
  async close(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    this.#transports.clear();
    await Promise.all(sessions.map((s) => s.then((session) => session.close(), () => undefined)));
  }

  #key(target: SshTarget): string {
    return hostLabel({ user: target.user ?? this.#options.user ?? defaultUser(), host: target.host, port: target.port ?? 22 });
  }
}

let shared: SshPool | undefined;

/** The pool commands share; the CLI configures it from its flags and closes it when a command ends. */
export function sharedSshPool(): SshPool {
  shared ??= new SshPool();
  return shared;
}

export async function closeSshConnections(): Promise<void> {
  await shared?.close();
}
