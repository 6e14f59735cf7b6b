import { join } from 'node:path';
import { SshConfigError } from '../../errors.js';
import { hostLabel, parseLocation } from '../location.js';
import type { SshSession, SshTarget } from './connect.js';
import { SftpTransport } from './sftp_transport.js';
import { defaultSshConfigFiles, loadSshConfig, type SshConfig } from './ssh_config.js';
import { accountHome } from '../../lib/account_home.js';
import { defaultUser, type SshOptions } from './ssh_options.js';

/** How one host is reached: where to connect, with which options, through which hops. */
interface Route {
  /** `ssh://user@host:port` with the host as the location names it (an ssh_config alias stays an alias). */
  label: string;
  connect: SshTarget & { hostKeyAlias?: string };
  options: SshOptions;
  /** The session to tunnel through (ProxyJump), the last hop. */
  via?: { target: SshTarget; jumps: string[] | undefined };
}

/** ProxyJump chains longer than this (or looping) are refused. */
const MAX_JUMPS = 8;

/**
 * One connection per host for the length of a command: every file, lock and command on a host
 * goes through the same session. A connection that failed is not retried within the command
 * (the error is kept), so a down host costs one timeout, not one per file. The user's ssh
 * configuration (ssh_config.ts) says how a host name is reached; explicit options win over it.
 */
export class SshPool {
  #options: SshOptions;
  #config: SshConfig | undefined;
  readonly #sessions = new Map<string, Promise<SshSession>>();
  readonly #transports = new Map<string, SftpTransport>();
  /** Sessions in the order they connected: a tunnelled one connects after every hop it goes through. */
  readonly #connected: SshSession[] = [];
  readonly #warned = new Set<string>();

  constructor(options: SshOptions = {}) {
    this.#options = options;
  }

  get options(): SshOptions {
    return this.#options;
  }

  /** Changes the options for connections not yet made (the CLI sets them once its flags are read). */
  configure(options: SshOptions): void {
    this.#options = { ...this.#options, ...options };
    this.#config = undefined;
  }

  /** Fills in options not set yet (a cluster file's ssh: section, under the command line's flags). */
  configureDefaults(options: SshOptions): void {
    this.#options = { ...options, ...this.#options };
    this.#config = undefined;
  }

  session(target: SshTarget): Promise<SshSession> {
    return this.#session(target, undefined, []);
  }

  /** The FileTransport for a host (one per host, over the host's one session). */
  transport(target: SshTarget): SftpTransport {
    const key = this.#route(target).label;
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
    await Promise.allSettled(sessions);
    // the tunnelled sessions first, then the hops they went through (the map holds a target before its hops)
    for (const session of this.#connected.splice(0).reverse()) session.close();
  }

  /** `jumps`: hops given by a ProxyJump list (they replace the host's own); `chain`: labels on the way, against loops. */
  #session(target: SshTarget, jumps: string[] | undefined, chain: string[]): Promise<SshSession> {
    let route: Route;
    try {
      route = this.#route(target, jumps);
    } catch (error) {
      return Promise.reject(error);
    }
    const key = jumps === undefined ? route.label : `${route.label} via ${jumps.join(',')}`;
    // before the sessions made so far: a hop that leads back to a connection still being made would wait on itself
    if (chain.includes(key) || chain.length >= MAX_JUMPS) {
      return Promise.reject(new SshConfigError(`${route.label}: its ProxyJump hops loop back or go more than ${MAX_JUMPS} deep`));
    }
    let session = this.#sessions.get(key);
    if (session === undefined) {
      // the SSH client (and its known_hosts and key handling) loads when a command first connects
      session = (async () => {
        const { connectSsh } = await import('./connect.js');
        let connected: SshSession;
        if (!route.via) connected = await connectSsh(route.connect, route.options);
        else {
          const hop = await this.#session(route.via.target, route.via.jumps, [...chain, key]);
          const sock = await hop.forward(route.connect.host, route.connect.port ?? 22, route.label);
          connected = await connectSsh(route.connect, route.options, sock);
        }
        this.#connected.push(connected);
        return connected;
      })();
      session.catch(() => undefined);
      this.#sessions.set(key, session);
    }
    return session;
  }

  #sshConfig(): SshConfig {
    const chosen = this.#options.config;
    this.#config ??= loadSshConfig(chosen === false ? [] : chosen !== undefined ? [{ path: chosen, required: true }] : defaultSshConfigFiles().map((path, i) => ({ path, required: false, checkOwner: i === 0 })));
    return this.#config;
  }

  /** Where a target is reached and how: its location's user and port, then hapki's options, then the ssh configuration. */
  #route(target: SshTarget, jumps?: string[]): Route {
    const o = this.#options;
    const host = this.#sshConfig().lookup(target.host);
    const user = target.user ?? o.user ?? host.user ?? defaultUser();
    const port = target.port ?? host.port ?? 22;
    const label = hostLabel({ user, host: target.host, port });
    const options: SshOptions = { ...o, user };
    if (o.identity === undefined && host.identityFiles.length > 0) options.identityFiles = host.identityFiles;
    // /dev/null is ssh's idiom for keeping no host keys: it is no file at all here
    const userKnown = host.userKnownHostsFiles?.filter((f) => f !== '/dev/null');
    const globalKnown = host.globalKnownHostsFiles?.filter((f) => f !== '/dev/null');
    if (o.knownHosts === undefined && (userKnown !== undefined || globalKnown !== undefined)) {
      options.knownHosts = [...(userKnown ?? [join(accountHome(), '.ssh', 'known_hosts')]), ...(globalKnown ?? ['/etc/ssh/ssh_known_hosts'])];
    }
    const fromConfig = o.acceptNewHostKeys === undefined ? host.strictHostKeyChecking : undefined;
    const acceptNew = o.acceptNewHostKeys ?? (fromConfig === 'no' || fromConfig === 'accept-new');
    if (acceptNew && o.knownHosts === undefined && userKnown?.length === 0) {
      // a new key goes into the user's known_hosts; with none, accepting it would accept any key
      // on every connection (or write it into a system-wide file): strict checking instead
      const asked = fromConfig === undefined ? '--accept-new-host-keys' : `StrictHostKeyChecking ${fromConfig} in the ssh configuration`;
      this.#warnOnce(`${label}: ${asked} is not applied: the ssh configuration keeps no known_hosts file of the user's for the host (UserKnownHostsFile none or /dev/null) to add a new key to, and hapki never accepts a host key it cannot check again; an unknown host is refused`);
      options.acceptNewHostKeys = false;
    } else if (fromConfig !== undefined) {
      // `no` would let any key in, a changed one too: hapki takes it as accept-new (a changed key is still refused)
      if (fromConfig === 'no') this.#warnOnce(`${label}: StrictHostKeyChecking no in the ssh configuration is taken as accept-new: a host not yet known is added, a changed host key is still refused`);
      options.acceptNewHostKeys = acceptNew;
    }
    if (o.connectTimeoutMs === undefined && host.connectTimeoutSeconds !== undefined) options.connectTimeoutMs = host.connectTimeoutSeconds * 1000;
    if (o.serverAlive === undefined && host.serverAliveIntervalSeconds !== undefined) options.serverAlive = { intervalMs: host.serverAliveIntervalSeconds * 1000, countMax: host.serverAliveCountMax ?? 3 };
    if (host.identitiesOnly && o.agent === undefined) options.agent = false;
    for (const warning of host.warnings) this.#warnOnce(warning);
    const connect: Route['connect'] = { host: host.hostName ?? target.host, port, user, label, ...(host.hostKeyAlias ? { hostKeyAlias: host.hostKeyAlias } : {}) };
    const hops = jumps ?? host.proxyJump ?? [];
    if (hops.length === 0) return { label, connect, options };
    const last = hopTarget(hops[hops.length - 1]!, label);
    return { label, connect, options, via: { target: last, jumps: hops.length > 1 ? hops.slice(0, -1) : undefined } };
  }

  #warnOnce(message: string): void {
    if (this.#warned.has(message)) return;
    this.#warned.add(message);
    (this.#options.warn ?? ((m: string) => process.emitWarning(m)))(message);
  }
}

/** A ProxyJump hop: `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
function hopTarget(hop: string, label: string): SshTarget {
  let location;
  try {
    location = parseLocation(/^ssh:\/\//i.test(hop) ? `${hop.replace(/\/$/, '')}/` : `ssh://${hop}/`);
  } catch {
    throw new SshConfigError(`${label}: a ProxyJump hop is not [user@]host[:port]`);
  }
  if (location.kind !== 'ssh') throw new SshConfigError(`${label}: a ProxyJump hop is not [user@]host[:port]`);
  return { host: location.host, ...(location.user ? { user: location.user } : {}), ...(location.port ? { port: location.port } : {}) };
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
