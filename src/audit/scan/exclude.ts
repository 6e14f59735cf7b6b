import { basename, resolve } from 'node:path';
import { debrisOf, lockTargetOf } from '../../txn/names.js';
import { globMatches } from '../glob.js';

/**
 * Files hapki writes beside a keystore that are not the keystore: the previous version kept as
 * `<file>.bak`, the write protocol's staged copies, journals and locks, and the temp files of the
 * write path before it. Auditing them would report a renewed certificate's predecessor (the old
 * certificate in `gw.jks.bak`) as expiring, every night, from cron.
 */
export function isHapkiOwnFile(name: string): boolean {
  return name.endsWith('.bak') || debrisOf(name) !== undefined || lockTargetOf(name) !== undefined || /^\..+\.hapki-lock\.takeover$/.test(name);
}

/**
 * `--exclude` patterns as one test: a pattern without a slash matches a file or directory name
 * anywhere (`*.old`, `archive`), one with a slash the whole path, as given or made absolute
 * (`/opt/msas/archive/**`). Glob syntax as in the configuration's password rules.
 */
export function excludeMatcher(patterns: readonly string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  return (path) => {
    const name = basename(path);
    const absolute = resolve(path);
    return patterns.some((p) => (p.includes('/') ? globMatches(p, path) || globMatches(p, absolute) || globMatches(p.replace(/\/\*\*$/, ''), absolute) : globMatches(p, name)));
  };
}
