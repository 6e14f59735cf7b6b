import { posix } from 'node:path';
import { UnsafePathError } from '../errors.js';
import type { FileInfo, FileTransport } from '../transport/file_transport.js';

export interface ResolvedTarget {
  /** The file to replace: the path with every (trusted) symbolic link resolved. */
  target: string;
  /** What is at the target now (a regular file), or undefined. */
  existing?: FileInfo;
}

const MAX_LINKS = 40;

/**
 * Resolves a path the way the kernel's protected-symlinks rule would have it: a symbolic link
 * (anywhere in the path, the last part included) is followed only when the link and every
 * directory before it are owned by root or by the caller, and none of those directories is open to
 * everybody without the sticky bit; otherwise ERR_UNSAFE_PATH. Another user who can write in a
 * directory on the way can plant a link there, or swap ours for theirs after we looked, and must
 * not get our write redirected. Under a directory open to everybody without the sticky bit, no
 * directory is passed through either (anybody may swap it for a link after we looked): only the
 * file itself may be there. The target must be a regular file or absent.
 */
export async function resolveSafeTarget(transport: FileTransport, path: string, uid: number): Promise<ResolvedTarget> {
  const trusted = (owner: number): boolean => owner === 0 || owner === uid;
  let parts = posix.normalize(path).split('/').filter((p) => p !== '');
  let current = '/';
  let untrustedDir: string | undefined;
  const root = await transport.lstat('/');
  const swappableRoot = root !== undefined && othersMaySwap(root) ? '/' : undefined;
  const untrustedRoot = root !== undefined && (!trusted(root.uid) || swappableRoot !== undefined);
  if (untrustedRoot) untrustedDir = '/';
  let swappable = swappableRoot;
  let links = 0;
  for (let i = 0; i < parts.length; i++) {
    const next = posix.join(current, parts[i]!);
    const last = i === parts.length - 1;
    const info = await transport.lstat(next);
    if (!info) {
      // a directory to be made there could be swapped like one already there
      if (swappable && !last) throw new UnsafePathError(path, `the directory ${next} would be in ${swappable}, a directory open to everybody without the sticky bit: anybody may swap it for a link`);
      return { target: posix.join(next, ...parts.slice(i + 1)) };
    }
    if (info.type === 'symlink') {
      if (!trusted(info.uid)) throw new UnsafePathError(path, `the symbolic link ${next} belongs to uid ${info.uid}, not to root or to us: not followed`);
      if (untrustedDir) throw new UnsafePathError(path, `the symbolic link ${next} is in ${untrustedDir}, a directory another user owns or may replace links in: not followed`);
      if (++links > MAX_LINKS) throw new UnsafePathError(path, 'too many symbolic links');
      let resolved: string;
      try {
        resolved = await transport.realpath(next);
      } catch (error) {
        const errno = (error as { code?: unknown; cause?: { code?: unknown } } | undefined);
        const loop = errno?.code === 'ELOOP' || errno?.cause?.code === 'ELOOP';
        throw new UnsafePathError(path, loop ? `the symbolic link ${next} is part of a loop of links` : `the symbolic link ${next} points nowhere`);
      }
      // walk the resolved path again from the top: its directories are checked like any other
      parts = [...resolved.split('/').filter((p) => p !== ''), ...parts.slice(i + 1)];
      current = '/';
      untrustedDir = untrustedRoot ? '/' : undefined;
      swappable = swappableRoot;
      i = -1;
      continue;
    }
    if (last) {
      if (info.type === 'directory') throw new UnsafePathError(path, 'is a directory');
      if (info.type !== 'file') throw new UnsafePathError(path, 'is not a regular file');
      return { target: next, existing: info };
    }
    if (info.type !== 'directory') throw new UnsafePathError(path, `${next} is not a directory`);
    // anybody may rename this directory and put a link in its place after we looked, and every
    // later step goes by name: only the file's own directory may be such a one (its last name
    // alone can be swapped, and rename replaces a link there instead of following it)
    if (swappable) throw new UnsafePathError(path, `the directory ${next} is in ${swappable}, a directory open to everybody without the sticky bit: anybody may swap it for a link`);
    if (!trusted(info.uid) || othersMaySwap(info)) untrustedDir ??= next;
    if (othersMaySwap(info)) swappable = next;
    current = next;
  }
  throw new UnsafePathError(path, 'names no file');
}

/**
 * A directory anybody may write in without the sticky bit: anybody may rename a link there and
 * put their own in its place between our look at it and our use of it, so no link under it is
 * followed, ours included (with the sticky bit, as in /tmp, only its owner may).
 */
function othersMaySwap(info: FileInfo): boolean {
  return (info.mode & 0o002) !== 0 && (info.mode & 0o1000) === 0;
}
