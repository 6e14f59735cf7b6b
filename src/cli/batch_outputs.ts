import { promises as fsp } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { FileExistsError, HapkiError, UsageError } from '../errors.js';
import type { CliContext } from './context.js';

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

/**
 * The results of a batch when every input succeeded. Otherwise each refused input gets its own
 * line, named by its file, and the first refusal is thrown (its code decides the exit status).
 */
export function batchSucceeded<T>(ctx: CliContext, inputs: readonly string[], results: readonly ({ ok: true; signed: T } | { ok: false; error: Error })[]): T[] {
  const failed = results.flatMap((r, i) => (r.ok ? [] : [failureOf(inputs[i]!, r.error)]));
  for (const extra of failed.slice(1)) ctx.io.stderr(`hapki: ${extra.message} (${(extra as { code?: string }).code ?? 'ERR_INTERNAL'})\n`);
  if (failed.length > 0) throw failed[0];
  return results.flatMap((r) => (r.ok ? [r.signed] : []));
}

/** A failure of one input of a batch, named by that input: the same code, its file said first. */
function failureOf(input: string, error: Error): Error {
  return error instanceof HapkiError ? new HapkiError(error.code, `${input}: ${error.message}`, { cause: error }) : error;
}
