import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { isRemoteLocation } from '../transport/location.js';
import { writeFileAtomic, type WriteFileOptions } from '../fs/atomic_write.js';
import { encodeNewKeystore, holdsSecrets, saveKeystore, type SaveKeystoreOptions } from '../fs/keystore_file.js';
import { readFileBytes } from '../fs/read_file.js';
import { MAX_INPUT_BYTES } from '../transport/local_file.js';
import type { Keystore } from '../keystore/model.js';
import { commitChangeSet, type FileChange } from '../txn/change_set.js';
import type { CliContext } from './context.js';
import { inputRead } from './process_heap.js';

/** `-` as a file name: standard input for an input, standard output for an output. */
export const STDIO = '-';

const STDIN_READ = new WeakMap<CliContext, Promise<Uint8Array>>();

/** An input file's bytes; `-` reads standard input (then no password may come from it). */
export async function readInput(ctx: CliContext, path: string, maxBytes = MAX_INPUT_BYTES): Promise<Uint8Array> {
  const bytes = await readInputBytes(ctx, path, maxBytes);
  inputRead(bytes.length);
  return bytes;
}

async function readInputBytes(ctx: CliContext, path: string, maxBytes: number): Promise<Uint8Array> {
  if (path !== STDIO) return readFileBytes(path, maxBytes);
  if (!ctx.io.readStdinBytes) throw new UsageError('standard input cannot be read here');
  ctx.passwords.claimStdinForInput();
  // read once: a command may look at the same input twice (certificates first, then a keystore)
  let read = STDIN_READ.get(ctx);
  if (!read) STDIN_READ.set(ctx, (read = ctx.io.readStdinBytes(maxBytes)));
  return read;
}

/**
 * Writes an output file, or standard output for `-`. Private material is never written to a
 * terminal (it would stay in the scrollback and the terminal's log): redirect or pipe it.
 */
export async function writeOutput(ctx: CliContext, path: string, data: string | Uint8Array, options: WriteFileOptions): Promise<void> {
  if (path !== STDIO) return writeFileAtomic(path, data, options);
  if (options.secret && ctx.io.stdoutIsTTY) throw new UsageError('refusing to write private key material to a terminal: redirect standard output, or give a file name');
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  if (ctx.io.stdoutIsTTY && !terminalText(bytes)) throw new UsageError('refusing to write binary output (DER, PKCS#7, a keystore) to a terminal, whose control sequences it could hold: redirect standard output, or give a file name');
  if (ctx.io.stdoutBytes) await ctx.io.stdoutBytes(bytes);
  else ctx.io.stdout(new TextDecoder().decode(bytes));
}

const TERMINAL_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Text a terminal shows as it is: UTF-8 without control characters but line ends and tabs (PEM, a CSR). */
function terminalText(bytes: Uint8Array): boolean {
  try {
    return !TERMINAL_CONTROLS.test(STRICT_UTF8.decode(bytes));
  } catch {
    return false;
  }
}

/** saveKeystore, or the encoded keystore on standard output for `-`. */
export async function saveKeystoreOutput(ctx: CliContext, path: string, store: Keystore, options: SaveKeystoreOptions): Promise<void> {
  if (path !== STDIO) return saveKeystore(path, store, options);
  await writeOutput(ctx, path, await encodeNewKeystore('standard output', store, options), { secret: holdsSecrets(store) });
}

/** A command whose result goes to standard output cannot also print its summary or JSON there. */
export function summaryStream(ctx: CliContext, out: string | undefined, json: boolean | undefined): (text: string) => void {
  if (out !== STDIO) return ctx.io.stdout;
  if (json) throw new UsageError('--json and --out - both want standard output: give --out a file name');
  return ctx.io.stderr;
}

/**
 * Standard input is one stream and standard output one destination: at most one option may
 * name `-` for each. `uses` pairs an option's name with what it was given.
 */
export function oneStdio(direction: 'input' | 'output', uses: readonly (readonly [string, string | readonly string[] | undefined])[]): void {
  const claimed = uses.flatMap(([option, value]) => (value === undefined ? [] : typeof value === 'string' ? [value] : value).filter((v) => v === STDIO).map(() => option));
  if (claimed.length > 1) throw new UsageError(`${[...new Set(claimed)].join(' and ')} cannot all be standard ${direction} (-): give file names`);
}

/**
 * Checked before any work (a key generated, a CA record written): private material named `-`
 * would go to a terminal.
 */
export function refuseSecretToTerminal(ctx: CliContext, path: string | undefined): void {
  if (path === STDIO && ctx.io.stdoutIsTTY) throw new UsageError('refusing to write private key material to a terminal: redirect standard output, or give a file name');
}

/**
 * Commits the file outputs of a command together (one change set), then writes the one named
 * `-`, if any, to standard output: the files are on disk before the stream is.
 */
export async function commitOutputs(ctx: CliContext, changes: readonly FileChange[]): Promise<void> {
  const toStdout = changes.filter((c) => c.path === STDIO);
  if (toStdout.length > 1) throw new UsageError('only one output can be standard output (-): give file names');
  await commitChangeSet(changes.filter((c) => c.path !== STDIO));
  for (const change of toStdout) {
    if (typeof change.content === 'function' || change.content === undefined) throw new TypeError('standard output takes content, not an update');
    await writeOutput(ctx, STDIO, change.content, { secret: change.private ?? false });
  }
}

/** How messages name an input: a file, or standard input for `-`. */
export function inputName(path: string): string {
  return path === STDIO ? 'standard input' : path;
}

/** How messages name an output: a file, or standard output for `-`. */
export function outputName(path: string): string {
  return path === STDIO ? 'standard output' : path;
}

/**
 * An output that names one of the command's inputs (the same path, or a link to the same file)
 * would replace it with something else: `ca init --ca root.p12 --out root.p12 --force` put the
 * sub-CA where the root's key was, `export gw.jks --out gw.jks --force` a PEM where the keystore
 * was. The one copy left, the .bak, goes at the next run. Refused before any work.
 */
export function refuseOutputOverInput(outputs: readonly (readonly [string, string | undefined])[], inputs: readonly (readonly [string, string | readonly string[] | undefined])[]): void {
  for (const [outOption, out] of outputs) {
    if (out === undefined || out === STDIO) continue;
    for (const [inOption, given] of inputs) {
      for (const input of given === undefined ? [] : typeof given === 'string' ? [given] : given) {
        if (input === STDIO || input.startsWith('pkcs11:') || !sameFile(out, input)) continue;
        throw new UsageError(`${outOption} names the same file as ${inOption} (${input}): writing it would replace what the command reads; give another file`);
      }
    }
  }
}

function sameFile(a: string, b: string): boolean {
  if (isRemoteLocation(a) || isRemoteLocation(b)) return a === b;
  if (resolve(a) === resolve(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
