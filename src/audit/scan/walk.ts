import { promises as fsp, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import { HapkiError } from '../../errors.js';
import { MAX_INPUT_BYTES } from '../../transport/local_file.js';
import { formatLocation, parseLocation, type RemoteLocation } from '../../transport/location.js';
import { remoteFile } from '../../transport/remote_file.js';
import { isHapkiOwnFile } from './exclude.js';
import { hostOfLocation, mapByHost } from '../../transport/fan_out.js';

export interface FoundFile {
  /** The path as reached: the argument itself, or the directory argument joined with the names below it. */
  path: string;
  realPath: string;
  /**
   * Named on the command line, or found under a name that says keystore or certificate
   * (isKeystoreName): such a file must be one, and is reported when it cannot be read as one.
   */
  expected: boolean;
}

export interface WalkProblem {
  path: string;
  /** ERR_FILE_NOT_FOUND, ERR_IO, or an ERR_SSH_* code for a host that could not be reached. */
  code: string;
  message: string;
}

export interface WalkResult {
  files: FoundFile[];
  problems: WalkProblem[];
}

/**
 * A name that says keystore or certificate: `gw.p12`, `trust.jks`, `ca.pem`. Such a file found in
 * a directory must be one: emptied, truncated, a link to nothing, a FIFO or over the size limit, it
 * is reported (an UNKNOWN finding), not passed over, since a keystore the audit silently skips
 * holds certificates nobody watches. Other files are judged by their content alone.
 */
export function isKeystoreName(name: string): boolean {
  return /\.(jks|jceks|p12|pfx|keystore|truststore|ks|pem|crt|cer|der)$/i.test(name);
}

/** Why a name found in a directory could not be followed to a file. */
function unreachable(path: string, cause: unknown, link: boolean): WalkProblem {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return { path, code: 'ERR_FILE_NOT_FOUND', message: link ? 'a symbolic link to nothing' : 'no such file or directory' };
  return { path, code: 'ERR_IO', message: code ? `cannot read: ${code}` : 'not a regular file (a FIFO, device or socket)' };
}

/**
 * The regular files named by `paths` and below the directories among them, each once however
 * often it is reached (by real path), in a stable order. Symbolic links are followed, and a
 * directory already seen is not entered again, so a link loop ends. Devices, FIFOs and sockets
 * are skipped: reading a FIFO would hang a cron job. A directory that cannot be listed is a
 * problem to report, since keystores may be hidden in it; so is a dangling link, a FIFO or an
 * unreadable entry below one when its name says keystore (isKeystoreName), and not otherwise.
 * Below a directory, hapki's own backups, temp files and locks are passed over, and so is any
 * path `exclude` matches (a path named on its own too).
 */
export async function collectFiles(paths: readonly string[], exclude: (path: string) => boolean = () => false): Promise<WalkResult> {
  const result: WalkResult = { files: [], problems: [] };
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();

  const addFile = async (path: string, expected: boolean, stat: Stats): Promise<void> => {
    if (!stat.isFile() || (!expected && stat.size > MAX_INPUT_BYTES)) return;
    const realPath = await fsp.realpath(path).catch(() => path);
    if (seenFiles.has(realPath)) return;
    seenFiles.add(realPath);
    result.files.push({ path, realPath, expected });
  };

  const walkDir = async (dir: string): Promise<void> => {
    const realDir = await fsp.realpath(dir).catch(() => dir);
    if (seenDirs.has(realDir)) return;
    seenDirs.add(realDir);
    let names: string[];
    try {
      names = (await fsp.readdir(dir)).sort();
    } catch (cause) {
      result.problems.push({ path: dir, code: 'ERR_IO', message: `cannot list the directory: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}` });
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (isHapkiOwnFile(name) || exclude(path)) continue;
      const named = isKeystoreName(name);
      let stat: Stats;
      try {
        stat = await fsp.stat(path);
      } catch (cause) {
        if (named) result.problems.push(unreachable(path, cause, (await fsp.lstat(path).catch(() => undefined))?.isSymbolicLink() ?? false));
        continue;
      }
      if (stat.isDirectory()) await walkDir(path);
      else if (stat.isFile()) await addFile(path, named, stat);
      else if (named) result.problems.push(unreachable(path, undefined, false));
    }
  };

  // remote locations: every host walked at once, one connection each, beside the local paths
  const remotePaths = paths.filter((p) => parseLocation(p).kind === 'ssh');
  const remoteWalk = mapByHost(remotePaths, hostOfLocation, (p) => collectRemote(p, exclude));
  // each path's share is awaited in turn, and the loop stops at the first that fails: the
  // others must not be left rejected and unhandled (a bad --ssh-config made two ssh:// paths end
  // in Node's crash report, the second rejection after the first's error line)
  const remote = new Map(remotePaths.map((p, i) => {
    const share = remoteWalk.then((r) => r[i]!);
    share.catch(() => undefined);
    return [p, share];
  }));
  for (const path of paths) {
    if (exclude(path)) continue;
    const walked = remote.get(path);
    if (walked) {
      const { files, problems } = await walked;
      for (const f of files) {
        if (seenFiles.has(f.realPath)) continue;
        seenFiles.add(f.realPath);
        result.files.push(f);
      }
      result.problems.push(...problems);
      continue;
    }
    let stat: Stats;
    try {
      stat = await fsp.stat(path);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      result.problems.push(code === 'ENOENT' ? { path, code: 'ERR_FILE_NOT_FOUND', message: 'no such file or directory' } : { path, code: 'ERR_IO', message: `cannot read: ${code ?? (cause as Error).message}` });
      continue;
    }
    if (stat.isDirectory()) await walkDir(path);
    else if (stat.isFile()) await addFile(path, true, stat);
    else result.problems.push({ path, code: 'ERR_IO', message: 'not a regular file or directory' });
  }
  return result;
}

/**
 * The same walk on a host, over its SFTP transport; paths stay whole locations
 * (ssh://user@host/...), so each file is read, and each finding named, with its host. A host that
 * cannot be reached is one problem (an UNKNOWN finding), not the end of the audit.
 */
async function collectRemote(spec: string, exclude: (path: string) => boolean): Promise<WalkResult> {
  const result: WalkResult = { files: [], problems: [] };
  const location = parseLocation(spec) as RemoteLocation;
  const { transport } = remoteFile(spec)!;
  const at = (path: string): string => formatLocation({ ...location, path });
  const seenDirs = new Set<string>();
  // stat as the local walk does it: links followed
  const stat = async (path: string) => {
    const real = await transport.realpath(path);
    const info = await transport.lstat(real);
    return info ? { real, info } : undefined;
  };
  const walkDir = async (dir: string, real: string): Promise<void> => {
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let names: string[];
    try {
      names = (await transport.readdir(dir)).sort();
    } catch (cause) {
      result.problems.push({ path: at(dir), code: (cause as HapkiError).code ?? 'ERR_IO', message: `cannot list the directory: ${(cause as Error).message}` });
      return;
    }
    for (const name of names) {
      const path = posix.join(dir, name);
      if (isHapkiOwnFile(name) || exclude(path)) continue;
      const named = isKeystoreName(name);
      const found = await stat(path).catch(() => undefined);
      if (!found) {
        if (named) result.problems.push(unreachable(at(path), { code: 'ENOENT' }, false));
        continue;
      }
      if (found.info.type === 'directory') await walkDir(path, found.real);
      else if (found.info.type === 'file' && (named || found.info.size <= MAX_INPUT_BYTES)) result.files.push({ path: at(path), realPath: at(found.real), expected: named });
      else if (named && found.info.type !== 'file') result.problems.push(unreachable(at(path), undefined, false));
    }
  };
  try {
    const found = await stat(location.path);
    if (!found) throw new HapkiError('ERR_FILE_NOT_FOUND', 'no such file or directory');
    if (found.info.type === 'directory') await walkDir(location.path, found.real);
    else if (found.info.type === 'file') result.files.push({ path: spec, realPath: at(found.real), expected: true });
    else result.problems.push({ path: spec, code: 'ERR_IO', message: 'not a regular file or directory' });
  } catch (cause) {
    const code = cause instanceof HapkiError ? cause.code : 'ERR_IO';
    result.problems.push({ path: spec, code, message: code === 'ERR_FILE_NOT_FOUND' ? 'no such file or directory' : (cause as Error).message });
  }
  return result;
}
