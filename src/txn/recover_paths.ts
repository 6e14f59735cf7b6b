import { posix, resolve } from 'node:path';
import { localTransport } from '../transport/local_transport.js';
import type { FileTransport } from '../transport/file_transport.js';
import { groupByHost } from '../transport/remote_file.js';
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

/**
 * Before a command reads the files it will change, or checks that its outputs are absent: what a
 * killed hapki left beside them (an interrupted change set, its temp files) is settled first, as
 * `hapki recover` would. Otherwise the rerun of a killed `apply` took the recovery its commit did
 * for another program's change (ERR_CONCURRENT_CHANGE), and the rerun of a killed `sign
 * --out-dir` refused the half-written batch (ERR_FILE_EXISTS) and left it half written. Best
 * effort: a directory that cannot be listed is left to the commit, which settles under its locks.
 */
export async function settleFiles(paths: readonly string[]): Promise<void> {
  const files = paths.filter((p) => p !== '-' && !p.startsWith('pkcs11:'));
  await Promise.all(
    groupByHost(files).map(async (group) => {
      try {
        await (group.transport ? recoverFiles(group.paths, group.transport) : recoverFiles(group.paths));
      } catch {
        // unreachable host, unreadable directory: the command's own commit reports it
      }
    }),
  );
}
