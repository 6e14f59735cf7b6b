import { promises as fsp } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { FileExistsError, HapkiError, UsageError } from '../errors.js';

/**
 * Where each input of a batch writes its output: `<dir>/<input name less its extension><ext>`
 * (certs/msas1.pem for msas1.csr). Two inputs that would write the same file are refused.
 */
export function batchOutputs(inputs: readonly string[], dir: string, ext: string): string[] {
  const seen = new Map<string, string>();
  return inputs.map((input) => {
    const name = basename(input, extname(input)) + ext;
    const other = seen.get(name);
    if (other !== undefined) throw new UsageError(`"${other}" and "${input}" would both write ${join(dir, name)}: rename one`);
    seen.set(name, input);
    return join(dir, name);
  });
}

/** Refuses (ERR_FILE_EXISTS) before anything is written, so that a batch writes all its files or none. */
export async function refuseExisting(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const exists = await fsp.lstat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new FileExistsError(path);
  }
}

/** A failure of one input of a batch, named by that input: the same code, its file said first. */
export function failureOf(input: string, error: unknown): unknown {
  return error instanceof HapkiError ? new HapkiError(error.code, `${input}: ${error.message}`, { cause: error }) : error;
}
