import { constants, promises as fsp, readFileSync, type Stats } from 'node:fs';
import { isAbsolute } from 'node:path';
import { FileExistsError, FileNotFoundError, HapkiError, IoError } from '../errors.js';
import { readLocalFileBytes, sha256OfFile } from './local_file.js';
import type { FileInfo, FileTransport } from './file_transport.js';
import { errnoWords } from '../lib/errno_words.js';

/**
 * The local disk as a FileTransport: what the write protocol (src/txn/) runs over when a file
 * lives on this host. Errors come out coded, with the errno said in words (disk full,
 * read-only file system, permission denied), never as a raw Node error.
 */
export class LocalTransport implements FileTransport {
  readonly location = 'local';

  async lstat(path: string): Promise<FileInfo | undefined> {
    let stat: Stats;
    try {
      stat = await fsp.lstat(abs(path));
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw ioError('cannot inspect', path, cause);
    }
    return infoOf(stat);
  }

  async realpath(path: string): Promise<string> {
    try {
      return await fsp.realpath(abs(path));
    } catch (cause) {
      throw ioError('cannot resolve', path, cause);
    }
  }

  readFile(path: string, maxBytes: number): Promise<Uint8Array> {
    return readLocalFileBytes(abs(path), maxBytes);
  }

  sha256(path: string, maxBytes: number): Promise<string> {
    return sha256OfFile(abs(path), maxBytes);
  }

  async createExclusive(path: string, bytes: Uint8Array, mode: number, owner?: { uid: number; gid: number }): Promise<void> {
    let handle: fsp.FileHandle | undefined;
    let created = false;
    try {
      handle = await fsp.open(abs(path), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode & 0o600);
      created = true;
      await handle.writeFile(bytes);
      if (owner) await ownerOf(handle, path, owner);
      await handle.chmod(mode & 0o7777);
      await handle.sync();
      await handle.close();
      handle = undefined;
    } catch (cause) {
      await handle?.close().catch(() => undefined);
      // a half-written file must not stay behind (disk full part way)
      if (created) await fsp.unlink(path).catch(() => undefined);
      throw ioError('cannot create', path, cause);
    }
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    try {
      await fsp.lchown(abs(path), uid, gid);
    } catch (cause) {
      throw ioError('cannot change the owner of', path, cause);
    }
  }

  /**
   * chmod of the file itself, never of what a symbolic link put in its place points to: the write
   * path sets the mode of a file it staged in a directory others may write in (a group-writable
   * keystore directory), where chmod(2) by name would follow a link swapped in meanwhile and make
   * any file (/etc/shadow, when root runs hapki) as readable as a certificate.
   */
  async chmod(path: string, mode: number): Promise<void> {
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(abs(path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      if (!(await handle.stat()).isFile()) throw new IoError(`cannot change the mode of ${path}: not a regular file`);
      await handle.chmod(mode & 0o7777);
    } catch (cause) {
      throw ioError('cannot change the mode of', path, (cause as NodeJS.ErrnoException)?.code === 'ELOOP' ? new IoError(`cannot change the mode of ${path}: it is a symbolic link`) : cause);
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      await fsp.rename(abs(from), abs(to));
    } catch (cause) {
      // a file mounted on its own (docker -v host/gw.p12:/opt/gw.p12, a bind mount) cannot be
      // replaced, only rewritten in place, which no reader could be kept from seeing half done
      if ((cause as NodeJS.ErrnoException)?.code === 'EBUSY') throw new IoError(`cannot replace ${to}: it is a mount point (a file mounted on its own, as a container volume or a bind mount), which a rename cannot replace, and hapki writes no keystore in place; mount its directory instead`, { cause });
      throw ioError('cannot rename', `${from} to ${to}`, cause);
    }
  }

  async unlink(path: string): Promise<void> {
    try {
      await fsp.unlink(abs(path));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw ioError('cannot remove', path, cause);
    }
  }

  async readdir(path: string): Promise<string[]> {
    try {
      return await fsp.readdir(abs(path));
    } catch (cause) {
      throw ioError('cannot list', path, cause);
    }
  }

  async mkdir(path: string, mode: number): Promise<void> {
    try {
      await fsp.mkdir(abs(path), { mode });
    } catch (cause) {
      throw ioError('cannot create the directory', path, cause);
    }
  }

  async syncDirectory(path: string): Promise<void> {
    try {
      const handle = await fsp.open(abs(path), constants.O_RDONLY);
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // best effort: not every file system lets a directory be opened for this
    }
  }

  async identity(): Promise<{ uid: number; gid: number }> {
    return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  }

  async umask(): Promise<number> {
    try {
      const status = readFileSync('/proc/self/status', 'utf8');
      const found = /^Umask:\s*([0-7]+)/m.exec(status);
      if (found) return parseInt(found[1]!, 8);
    } catch {
      // not Linux
    }
    const mask = process.umask(0o022);
    process.umask(mask);
    return mask;
  }
}

/** fchown, failing as chown by name would (ERR_IO "cannot change the owner of"). */
async function ownerOf(handle: fsp.FileHandle, path: string, owner: { uid: number; gid: number }): Promise<void> {
  try {
    // a file already so owned is left as it is: some file systems refuse chown outright
    const now = await handle.stat();
    if (now.uid !== owner.uid || now.gid !== owner.gid) await handle.chown(owner.uid, owner.gid);
  } catch (cause) {
    throw ioError('cannot change the owner of', path, cause);
  }
}

let shared: LocalTransport | undefined;

/** The one local transport (it holds no state). */
export function localTransport(): LocalTransport {
  shared ??= new LocalTransport();
  return shared;
}

function abs(path: string): string {
  if (!isAbsolute(path)) throw new TypeError(`a transport path must be absolute: ${path}`);
  return path;
}

function infoOf(stat: Stats): FileInfo {
  const type = stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : stat.isSymbolicLink() ? 'symlink' : 'other';
  return { type, size: stat.size, mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, mtimeMs: stat.mtimeMs, links: stat.nlink };
}

/** A coded error naming the path and what went wrong, in words. */
export function ioError(what: string, path: string, cause: unknown): HapkiError {
  if (cause instanceof HapkiError) return cause;
  const code = (cause as NodeJS.ErrnoException)?.code;
  if (code === 'EEXIST') return new FileExistsError(path);
  if (code === 'ENOENT' && what === 'cannot read') return new FileNotFoundError(path, { cause });
  const words = errnoWords(code) ?? 'failed';
  return new IoError(`${what} ${path}: ${words}`, { cause });
}
