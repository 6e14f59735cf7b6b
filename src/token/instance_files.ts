import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IoError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic_write.js';
import { readFileBytes } from '../fs/read_file.js';

/**
 * What a token distribution does to instance files, apart so that its all-or-nothing logic can
 * be tested with a layer that fails on purpose, and driven by one that is not a local disk.
 */
export interface TokenFileLayer {
  read(path: string): Promise<Uint8Array>;
  /** Fails (ERR_IO) when the file could not be replaced: not a regular file, or its directory not writable. */
  assertWritable(path: string): Promise<void>;
  /** Keeps the file as it is now as `<path>.bak`. */
  backup(path: string): Promise<void>;
  /** Replaces the file atomically with these bytes, keeping its mode (and owner, where allowed). */
  write(path: string, bytes: Uint8Array): Promise<void>;
  /** Puts the original bytes back, atomically, leaving the backup alone. */
  restore(path: string, original: Uint8Array): Promise<void>;
}

/** The file layer over the local file system, through src/fs's atomic writes. */
export function localTokenFiles(): TokenFileLayer {
  return {
    read: readFileBytes,
    async assertWritable(path) {
      const stat = await statOrFail(path);
      if (!stat.isFile()) throw new IoError(`${path} is not a regular file`);
      // a real write, not access(): root passes access() on read-only mounts and 0555 directories alike
      const probe = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.probe`);
      try {
        const handle = await fsp.open(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
        await handle.close();
      } catch (cause) {
        throw new IoError(`cannot write in ${dirname(path)}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
      } finally {
        await fsp.rm(probe, { force: true }).catch(() => undefined);
      }
      const bak = await fsp.lstat(`${path}.bak`).catch(() => undefined);
      if (bak && !bak.isFile()) throw new IoError(`${path}.bak is in the way: it is not a regular file`);
    },
    async backup(path) {
      try {
        await fsp.copyFile(path, `${path}.bak`);
      } catch (cause) {
        throw new IoError(`cannot back up ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
      }
    },
    write: replaceKeepingMode,
    restore: replaceKeepingMode,
  };
}

async function replaceKeepingMode(path: string, bytes: Uint8Array): Promise<void> {
  const stat = await statOrFail(path);
  await writeFileAtomic(path, bytes, { force: true, backup: false, mode: stat.mode & 0o7777 });
  // the gateway reads its keystore as its own user: give the new file the old one's owner when we can
  if (process.getuid?.() === 0) await fsp.chown(path, stat.uid, stat.gid).catch(() => undefined);
}

async function statOrFail(path: string): Promise<import('node:fs').Stats> {
  try {
    return await fsp.stat(path);
  } catch (cause) {
    throw new IoError(`cannot stat ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
}
