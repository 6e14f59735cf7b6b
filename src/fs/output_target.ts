import { statSync, type Stats } from 'node:fs';
import { FileExistsError, UnsafePathError } from '../errors.js';

/**
 * Refuses an output before anything is made for it (a key, say): a directory there is no file to
 * overwrite, `force` or not, and a file there needs `force`. One look (a name removed between two
 * looks was ERR_INTERNAL); what cannot be looked at is left to the commit to judge.
 */
export function refuseOutputTarget(path: string, force: boolean): void {
  const there = lookAt(path);
  if (there?.isDirectory()) throw new UnsafePathError(path, 'is a directory');
  if (there && !force) throw new FileExistsError(path);
}

function lookAt(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
