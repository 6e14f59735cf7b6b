import { promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import { MAX_INPUT_BYTES } from '../../fs/read_file.js';
import { isHapkiOwnFile } from './exclude.js';

export interface FoundFile {
  /** The path as reached: the argument itself, or the directory argument joined with the names below it. */
  path: string;
  realPath: string;
  /** Named on the command line rather than found in a directory: such a file must be a keystore. */
  explicit: boolean;
}

export interface WalkProblem {
  path: string;
  code: 'ERR_FILE_NOT_FOUND' | 'ERR_IO';
  message: string;
}

export interface WalkResult {
  files: FoundFile[];
  problems: WalkProblem[];
}

/**
 * The regular files named by `paths` and below the directories among them, each once however
 * often it is reached (by real path), in a stable order. Symbolic links are followed, and a
 * directory already seen is not entered again, so a link loop ends. Devices, FIFOs and sockets
 * are skipped: reading a FIFO would hang a cron job. A directory that cannot be listed is a
 * problem to report, since keystores may be hidden in it; a dangling link below one is not.
 * Below a directory, hapki's own backups, temp files and locks are passed over, and so is any
 * path `exclude` matches (a path named on its own too).
 */
export async function collectFiles(paths: readonly string[], exclude: (path: string) => boolean = () => false): Promise<WalkResult> {
  const result: WalkResult = { files: [], problems: [] };
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();

  const addFile = async (path: string, explicit: boolean, stat: Stats): Promise<void> => {
    if (!stat.isFile() || (!explicit && stat.size > MAX_INPUT_BYTES)) return;
    const realPath = await fsp.realpath(path).catch(() => path);
    if (seenFiles.has(realPath)) return;
    seenFiles.add(realPath);
    result.files.push({ path, realPath, explicit });
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
      const stat = await fsp.stat(path).catch(() => undefined);
      if (!stat) continue;
      if (stat.isDirectory()) await walkDir(path);
      else await addFile(path, false, stat);
    }
  };

  for (const path of paths) {
    if (exclude(path)) continue;
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
