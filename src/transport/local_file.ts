import { createHash } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { FileNotFoundError, IoError } from '../errors.js';
import { errnoWords } from '../lib/errno_words.js';
import { tooLarge } from '../lib/too_large.js';

/** Largest keystore or certificate file hapki will read; real ones are kilobytes. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/**
 * SHA-256 (lower-case hex) of a local regular file, with readLocalFileBytes's checks and bound, hashed
 * in 64 KiB pieces as it is read: how the write path checks a staged file without reading it
 * back whole.
 */
export async function sha256OfFile(path: string, maxBytes = MAX_INPUT_BYTES): Promise<string> {
  return withRegularFile(path, maxBytes, async (handle) => {
    const hash = createHash('sha256');
    const piece = new Uint8Array(64 * 1024);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(piece, 0, piece.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw new IoError(tooLarge(path, maxBytes));
      hash.update(piece.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  });
}

/**
 * Reads a local regular file of bounded size. A FIFO, a device (/dev/zero) or a directory is
 * refused before reading, so hapki never blocks on a named pipe nor reads without end; a pipe
 * handed over as /dev/fd/N (the shell's `<(...)`) is read to its end, within the same bound.
 * A local path only, never a location (an SSH identity, a known_hosts file, the local transport's
 * files): src/fs/read_file.ts's readFileBytes is the one that also reads `ssh://` locations.
 * `what` the file is meant to be, for the message when it is too large.
 */
export function readLocalFileBytes(path: string, maxBytes: number, what?: string): Promise<Uint8Array> {
  return withRegularFile(path, maxBytes, (handle, size) => readBounded(handle, path, maxBytes, size, what), what);
}

/** A descriptor of this process named as a file (bash and zsh's `<(...)` gives /dev/fd/63), never a named FIFO elsewhere. */
const INHERITED_DESCRIPTOR = /^\/(?:dev|proc\/self)\/fd\/\d+$/;

async function withRegularFile<T>(path: string, maxBytes: number, read: (handle: fsp.FileHandle, size: number) => Promise<T>, what?: string): Promise<T> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new IoError(`${path} is a directory`);
    if (stat.isFIFO() && INHERITED_DESCRIPTOR.test(path)) {
      // the shell's process substitution, `--trust <(openssl x509 -in ca.pem)`: a pipe this process
      // was handed, whose writer is already there; read to its end (bounded), as file:<(...) is for a password
      await handle.close();
      handle = await fsp.open(path, constants.O_RDONLY);
      return await read(handle, 0);
    }
    if (!stat.isFile()) throw new IoError(`${path} is not a regular file`);
    if (stat.size > maxBytes) throw new IoError(tooLarge(path, maxBytes, what, stat.size));
    return await read(handle, stat.size);
  } catch (cause) {
    if (cause instanceof IoError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileNotFoundError(path, { cause });
    throw new IoError(`cannot read ${path}: ${errnoWords(code) ?? (cause as Error).message}`, { cause });
  } finally {
    await handle?.close();
  }
}

/**
 * Reads until end of file, but never more than maxBytes (a file may grow while being read).
 * The bytes go straight into one buffer sized from the file's size (grown if the file grows),
 * not into chunks then copied together: a large keystore is held once, not three times.
 */
async function readBounded(handle: fsp.FileHandle, path: string, maxBytes: number, sizeHint = 0, what?: string): Promise<Uint8Array> {
  let buffer = new Uint8Array(Math.min(Math.max(sizeHint, 0), maxBytes) + 1);
  let total = 0;
  for (;;) {
    if (total === buffer.length) {
      if (total > maxBytes) throw new IoError(tooLarge(path, maxBytes, what));
      const grown = new Uint8Array(Math.min(Math.max(buffer.length * 2, 64 * 1024), maxBytes + 1));
      grown.set(buffer);
      buffer = grown;
    }
    const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > maxBytes) throw new IoError(tooLarge(path, maxBytes, what));
  }
  // the one spare byte (which tells end of file from growth) is left off by a view
  return total === buffer.length ? buffer : buffer.subarray(0, total);
}

