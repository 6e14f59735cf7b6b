import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileExistsError, IoError } from '../errors.js';

export interface WriteFileOptions {
  /** Overwrite an existing file (default: refuse with ERR_FILE_EXISTS). */
  force?: boolean;
  /** File mode; 0o600 for anything holding a private key. Default 0o644. */
  mode?: number;
  /** When overwriting, first keep the old file as `<path>.bak` (default true when forced). */
  backup?: boolean;
}

/**
 * Writes through a temporary file in the same directory, fsyncs it, and renames it over the
 * target, so readers see the old file or the new one and never a partial one. A failure
 * removes the temporary file.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string, options: WriteFileOptions = {}): Promise<void> {
  const exists = await fileExists(path);
  if (exists && !options.force) throw new FileExistsError(path);
  const mode = options.mode ?? 0o644;
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    await handle.writeFile(bytes);
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (exists && (options.backup ?? true)) await fsp.copyFile(path, `${path}.bak`);
    await fsp.rename(tmp, path);
    await syncDirectory(dirname(path));
  } catch (cause) {
    await handle?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    if (cause instanceof FileExistsError) throw cause;
    throw new IoError(`cannot write ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await fsp.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable; not every filesystem lets a directory be opened for this.
  try {
    const handle = await fsp.open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
