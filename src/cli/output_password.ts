import { PasswordRequiredError, UsageError } from '../errors.js';
import type { Keystore, KeystoreFormat } from '../keystore/model.js';
import type { CliContext } from './context.js';
import { warn } from './io.js';

export interface OutputPasswordOptions {
  outpass?: string;
  /** False with --no-encrypt: PEM/DER keys are written unencrypted. */
  encrypt?: boolean;
  /** --legacy: PKCS#12's old algorithms. */
  legacy?: boolean;
}

/**
 * The password to protect the output with: --outpass, else the source store's own password
 * (the output keeps its protection), else a prompt. Keystore formats need one; PEM and DER keys
 * go out unencrypted only when asked (--no-encrypt) or when there is no password to be had.
 */
export async function outputPassword(
  ctx: CliContext,
  options: OutputPasswordOptions,
  sourcePassword: string | undefined,
  format: KeystoreFormat,
  out: Keystore,
): Promise<string | undefined> {
  const textual = format === 'PEM' || format === 'DER';
  // options that contradict each other or the output format are refused, never one silently dropped:
  // `--no-encrypt --outpass` wrote the key in the clear although a password was given for it
  if (options.encrypt === false && options.outpass !== undefined) throw new UsageError('give --no-encrypt (a PEM or DER key in the clear) or --outpass (encrypted with it), not both');
  if (options.encrypt === false && !textual) throw new UsageError(`--no-encrypt is for PEM and DER output: a ${format} keystore always has a password (--outpass)`);
  if (options.legacy && format !== 'PKCS12') throw new UsageError(`--legacy is for PKCS#12 output, not ${format}`);
  if (textual && options.encrypt === false) {
    if (out.entries.some((e) => e.type === 'private-key')) warn(ctx.io, 'writing an unencrypted private key (file mode 0600)');
    return undefined;
  }
  // a source under the empty password gives a PEM or DER key none to inherit: the writers took ''
  // for "no encryption", and the key went out in the clear with neither --no-encrypt nor a warning
  const inherited = textual && sourcePassword === '' ? undefined : sourcePassword;
  const password = options.outpass !== undefined ? await ctx.passwords.resolveNew(options.outpass, 'output password') : inherited ?? (await ctx.passwords.resolveNew(undefined, 'output password'));
  if (password === undefined && !textual) throw new PasswordRequiredError(`a ${format} keystore needs a password: give --outpass`);
  if (password === undefined && out.entries.some((e) => e.type === 'private-key')) {
    warn(ctx.io, 'no password to encrypt the private key with: writing it unencrypted (file mode 0600)');
  }
  return password;
}

/** --keypass-out <alias>=<src>, resolved: the output key passwords by alias. */
export async function resolveKeyPasswords(ctx: CliContext, specs: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError('--keypass-out needs <alias>=<src>, e.g. msas1=env:KEYPASS');
    const alias = spec.slice(0, eq);
    out[alias] = (await ctx.passwords.resolveNew(spec.slice(eq + 1), `key password for "${alias}"`))!;
  }
  return out;
}
