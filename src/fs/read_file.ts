import { promises as fsp } from 'node:fs';
import { FileNotFoundError, IoError } from '../errors.js';

/** Largest keystore or certificate file hapki will read; real ones are kilobytes. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    const stat = await fsp.stat(path);
    if (stat.isDirectory()) throw new IoError(`${path} is a directory`);
    if (stat.size > MAX_INPUT_BYTES) throw new IoError(`${path} is too large (${stat.size} bytes) to be a keystore`);
    return new Uint8Array(await fsp.readFile(path));
  } catch (cause) {
    if (cause instanceof IoError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileNotFoundError(path, { cause });
    throw new IoError(`cannot read ${path}: ${code ?? (cause as Error).message}`, { cause });
  }
}
