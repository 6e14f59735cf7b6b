import { join, posix, resolve } from 'node:path';
import { SshLocationError } from '../errors.js';

/** Where a keystore lives: a path on this machine, or an absolute path on a host reached over SSH. */
export type Location = { kind: 'local'; path: string } | RemoteLocation;

export interface RemoteLocation {
  kind: 'ssh';
  /** Absent: the SSH options' user, else the local user name. */
  user?: string;
  host: string;
  /** Absent: 22. */
  port?: number;
  /** Absolute POSIX path on the host. */
  path: string;
}

const HOST = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\])$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * The one parser of keystore locations, for command arguments, `--to`, cluster files and audit
 * paths alike: `ssh://[user@]host[:port]/absolute/path`, or `[user@]host:/absolute/path` as scp
 * writes it. Anything else is a local path. The scp form is taken only where it cannot be a local
 * path someone meant: the part before the colon is a bare host name (no slash) and the path after
 * it is absolute. A malformed ssh:// location is ERR_SSH_LOCATION, never echoed whole (it may be
 * pasted with a secret in it).
 */
export function parseLocation(spec: string): Location {
  if (/^ssh:\/\//i.test(spec)) return parseSshUrl(spec);
  // a path may hold any byte but NUL, a newline too (the s flag), as a local path may
  const scp = /^(?:([^@/:]+)@)?([^@/:[\]]+|\[[^\]/]+\]):(\/.*)$/s.exec(spec);
  if (scp && HOST.test(scp[2]!) && (scp[1] === undefined || USER.test(scp[1])) && scp[2]!.length > 1) {
    return remote(scp[1], unbracket(scp[2]!), undefined, scp[3]!);
  }
  return { kind: 'local', path: spec };
}

export function isRemoteLocation(spec: string): boolean {
  return parseLocation(spec).kind === 'ssh';
}

/** The canonical text of a location: `ssh://user@host:port/path` (parts given only), or the local path. */
export function formatLocation(location: Location): string {
  if (location.kind === 'local') return location.path;
  return `${hostLabel(location)}${location.path}`;
}

/** `ssh://user@host:port` as messages, locks and the journal name the host. */
export function hostLabel(location: Pick<RemoteLocation, 'user' | 'host' | 'port'>): string {
  const host = location.host.includes(':') ? `[${location.host}]` : location.host;
  return `ssh://${location.user ? `${location.user}@` : ''}${host}${location.port && location.port !== 22 ? `:${location.port}` : ''}`;
}

/**
 * A path in a cluster file or argument list taken against a base: a remote base keeps its host
 * (a relative path under `ssh://h/opt/msas` stays on h), a location of its own is kept as it is.
 */
export function resolveLocation(base: string, spec: string): string {
  const own = parseLocation(spec);
  if (own.kind === 'ssh' || posix.isAbsolute(spec)) return spec;
  const at = parseLocation(base);
  if (at.kind === 'ssh') return formatLocation({ ...at, path: posix.resolve(at.path, spec) });
  return posix.resolve(base, spec);
}

function parseSshUrl(spec: string): RemoteLocation {
  const m = /^ssh:\/\/(?:([^@/]*)@)?(\[[^\]/]*\]|[^:/[\]]*)(?::([^/]*))?(\/.*)?$/is.exec(spec);
  if (!m) throw new SshLocationError('an ssh:// location is ssh://[user@]host[:port]/absolute/path');
  const [, user, host = '', port, path] = m;
  if (user !== undefined && !USER.test(user)) throw new SshLocationError('the user name in an ssh:// location may hold letters, digits, ".", "-" and "_"');
  if (!HOST.test(host)) throw new SshLocationError('an ssh:// location needs a host name or [IPv6 address]');
  let portNumber: number | undefined;
  if (port !== undefined) {
    portNumber = Number(port);
    if (!/^\d{1,5}$/.test(port) || portNumber < 1 || portNumber > 65535) throw new SshLocationError('the port in an ssh:// location is a number from 1 to 65535');
  }
  if (path === undefined) throw new SshLocationError('an ssh:// location needs an absolute path after the host');
  return remote(user, unbracket(host), portNumber, path);
}

function remote(user: string | undefined, host: string, port: number | undefined, path: string): RemoteLocation {
  if (path.includes('\0')) throw new SshLocationError('a remote path may not hold a NUL byte');
  return { kind: 'ssh', ...(user ? { user } : {}), host, ...(port !== undefined ? { port } : {}), path: posix.normalize(path) };
}

function unbracket(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/** A file in a directory given as a location: `--out-dir ssh://h/opt/trust` keeps its host. */
export function joinLocation(dir: string, name: string): string {
  const at = parseLocation(dir);
  return at.kind === 'ssh' ? formatLocation({ ...at, path: posix.join(at.path, name) }) : join(dir, name);
}

/** How a file is shown: a remote location whole, a local one relative to `dir` where that is shorter. */
export function displayLocation(dir: string, file: string): string {
  if (parseLocation(file).kind === 'ssh') return file;
  return posix.relative(dir, file) || file;
}

/** A local path made absolute against the working directory; a remote location as it is. */
export function absoluteLocation(spec: string): string {
  return parseLocation(spec).kind === 'ssh' ? spec : resolve(spec);
}
