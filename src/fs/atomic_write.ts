import { randomBytes } from 'node:crypto';
import { constants, promises as fsp, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileExistsError, IoError } from '../errors.js';

export interface WriteFileOptions {
  /** Overwrite an existing file (default: refuse with ERR_FILE_EXISTS). */
  force?: boolean;
  /** Mode of a new file; 0o600 for anything holding a private key. Default 0o644. A replaced file keeps its own. */
  mode?: number;
  /** When overwriting, first keep the old file as `<path>.bak` (default true when forced). */
  /** The content is private (keys): a replaced file keeps its mode less any access for others. */
  secret?: boolean;
  backup?: boolean;
}

/**
 * Writes through a temporary file in the same directory, fsyncs it, and renames it over the
 * target, so readers see the old file or the new one and never a partial one. A failure
 * removes the temporary file. Replacing a file keeps what the operator set on it: its owner,
 * group and mode (a keystore the gateway's service user reads must stay readable to it), and a
 * symbolic link stays a link, the file it points to being replaced.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string, options: WriteFileOptions = {}): Promise<void> {
  const target = await resolveLink(path);
  const existing = await statOrUndefined(target);
  if (existing && !options.force) throw new FileExistsError(path);
  const mode = existing ? existing.mode & (options.secret ? 0o7770 : 0o7777) : options.mode ?? 0o644;
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    await handle.writeFile(bytes);
    if (existing) await handle.chown(existing.uid, existing.gid).catch(() => undefined);
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (existing && (options.backup ?? true)) await keepBackup(target, existing);
    await fsp.rename(tmp, target);
    await syncDirectory(dirname(target));
  } catch (cause) {
    await handle?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    if (cause instanceof FileExistsError) throw cause;
    throw new IoError(`cannot write ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
}

/** The old file as `<file>.bak`, with the same owner and mode as the file it was. */
async function keepBackup(target: string, existing: Stats): Promise<void> {
  const backup = `${target}.bak`;
  await fsp.copyFile(target, backup);
  await fsp.chown(backup, existing.uid, existing.gid).catch(() => undefined);
  await fsp.chmod(backup, existing.mode & 0o7777);
}

async function resolveLink(path: string): Promise<string> {
  try {
    return await fsp.realpath(path);
  } catch {
    return path;
  }
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await fsp.stat(path);
  } catch {
    return undefined;
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
