import { promises as fsp } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic_write.js';

/**
 * The files a CA keeps beside its keystore, named after it so one directory can hold several CAs:
 * `<keystore>.settings.json` (name policy, CRL and AIA URLs; written by `hapki ca set`) and
 * `<keystore>.issued.jsonl` (the issuance record: one JSON object per line, append-only).
 */
export function caFiles(keystorePath: string): { settings: string; record: string } {
  return { settings: `${keystorePath}.settings.json`, record: `${keystorePath}.issued.jsonl` };
}

export async function readOptionalText(path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Replaces a CA file by a function of its current text, atomically (readers see the old or the
 * new file, never a part). Every write of the CA side goes through here, the one place to move
 * onto the locked change-set write path.
 */
export async function updateCaFile(path: string, update: (current: string | undefined) => string): Promise<void> {
  const next = update(await readOptionalText(path));
  await writeFileAtomic(path, next, { force: true, backup: false, mode: 0o644 });
}
