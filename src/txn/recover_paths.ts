import { posix, resolve } from 'node:path';
import { localTransport } from '../fs/local_transport.js';
import type { FileTransport } from '../fs/transport.js';
import { recoverDirectories, type DirectoryRecovery } from './recover.js';

const MAX_DIRECTORIES = 10_000;
const MAX_DEPTH = 8;

/**
 * `hapki recover <dir>`: every directory under `dir` (symbolic links not followed), settled
 * as recoverDirectories does.
 */
export async function recoverTree(dir: string, transport: FileTransport = localTransport()): Promise<DirectoryRecovery> {
  const root = transport === localTransport() ? resolve(dir) : dir;
  const dirs: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    if (dirs.length >= MAX_DIRECTORIES) return;
    dirs.push(d);
    if (depth >= MAX_DEPTH) return;
    for (const name of (await transport.readdir(d)).sort()) {
      const info = await transport.lstat(posix.join(d, name));
      if (info?.type === 'directory') await walk(posix.join(d, name), depth + 1);
    }
  };
  await walk(root, 0);
  return recoverDirectories(transport, dirs);
}

/** The directories holding the given files (a cluster file's keystores), settled. */
export async function recoverFiles(files: readonly string[], transport: FileTransport = localTransport()): Promise<DirectoryRecovery> {
  const dirs = [...new Set(files.map((f) => posix.dirname(transport === localTransport() ? resolve(f) : f)))].sort();
  const present: string[] = [];
  for (const d of dirs) if ((await transport.lstat(d))?.type === 'directory') present.push(d);
  return recoverDirectories(transport, present);
}
