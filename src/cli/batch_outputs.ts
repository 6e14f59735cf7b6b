import { basename, extname } from 'node:path';
import { joinLocation } from '../transport/location.js';
import { locationExists } from '../transport/remote_file.js';
import { settleFiles } from '../txn/recover_paths.js';
import { FileExistsError, UsageError } from '../errors.js';
import type { CliContext } from './context.js';
import { note } from './io.js';

/**
 * Where each input of a batch writes its output: `<dir>/<input name less its extension><ext>`
 * (certs/msas1.pem for msas1.csr). Two inputs that would write the same file are refused.
 */
export function batchOutputs(inputs: readonly string[], dir: string, ext: string): string[] {
  const seen = new Map<string, string>();
  return inputs.map((input) => {
    const name = basename(input, extname(input)) + ext;
    const other = seen.get(name);
    if (other !== undefined) throw new UsageError(`"${other}" and "${input}" would both write ${joinLocation(dir, name)}: rename one`);
    seen.set(name, input);
    return joinLocation(dir, name);
  });
}

/** Refuses (ERR_FILE_EXISTS) before anything is written, so that a batch writes all its files or none. */
export async function refuseExisting(paths: readonly string[]): Promise<void> {
  // a batch a killed hapki left half written is finished (or undone) first, not taken for the user's files
  await settleFiles(paths);
  for (const path of paths) if (await locationExists(path)) throw new FileExistsError(path);
}

/** One refused input of a batch after the first (which is thrown): its own line on standard error. */
export function reportError(ctx: CliContext, error: Error): void {
  note(ctx.io, `${error.message} (${(error as { code?: string }).code ?? 'ERR_INTERNAL'})`);
}
