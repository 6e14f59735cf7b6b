import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { readFileBytes } from '../../fs/read_file.js';
import { passwordsInFileProblem } from '../../secrets/password_source.js';
import { warn } from '../io.js';
import type { TokenInstance } from '../../token/distribute_token.js';
import { instanceNames, parseInstanceList } from '../../token/instance_list.js';
import type { CliContext } from '../context.js';

export interface InstanceOptions {
  to?: string[];
  instances?: string;
  toStorepass?: string;
  storepassFor?: string[];
  keypassFor?: string[];
}

export const INSTANCE_HELP = {
  to: 'an instance keystore (repeatable)',
  instances: 'a file listing instances, one "<keystore> [<password source>]" a line (# comments; paths relative to the file)',
  toStorepass: 'store password of every instance without its own: pass:TEXT, env:NAME, file:PATH, fd:N or stdin',
  storepassFor: 'one instance\'s store password, as <keystore>=<src> (repeatable)',
};

/**
 * The instances named by --to and --instances, with their passwords resolved: --storepass-for
 * first, then the list's own source, then --to-storepass; `prompt` says whether to ask for the rest.
 */
export async function resolveInstances(ctx: CliContext, options: InstanceOptions, prompt: boolean): Promise<TokenInstance[]> {
  const listed: { path: string; source?: string }[] = (options.to ?? []).map((path) => ({ path }));
  if (options.instances !== undefined) {
    const text = new TextDecoder().decode(await readFileBytes(options.instances));
    const specs = parseInstanceList(text, dirname(resolve(options.instances)));
    const open = passwordsInFileProblem(options.instances, specs.map((spec) => spec.passwordSource));
    if (open) warn(ctx.io, open);
    for (const spec of specs) listed.push({ path: spec.path, ...(spec.passwordSource ? { source: spec.passwordSource } : {}) });
  }
  if (listed.length === 0) throw new UsageError('name the instance keystores with --to or --instances');
  const storepassFor = pairs(options.storepassFor, '--storepass-for');
  const keypassFor = pairs(options.keypassFor, '--keypass-for');
  const fallback = options.toStorepass === undefined ? undefined : await ctx.passwords.resolve(options.toStorepass, 'instance store password');
  const names = instanceNames(listed.map((l) => l.path));
  const instances: TokenInstance[] = [];
  for (const [i, { path, source }] of listed.entries()) {
    const own = lookup(storepassFor, path) ?? source;
    const password = own !== undefined ? await ctx.passwords.resolve(own, `password for ${path}`) : fallback ?? (prompt ? await ctx.passwords.resolve(undefined, `password for ${path}`) : undefined);
    const keySource = lookup(keypassFor, path);
    const keyPassword = keySource === undefined ? undefined : await ctx.passwords.resolve(keySource, `token key password for ${path}`);
    instances.push({ name: names[i]!, path, ...(password === undefined ? {} : { password }), ...(keyPassword === undefined ? {} : { keyPassword }) });
  }
  return instances;
}

function pairs(specs: readonly string[] | undefined, option: string): [string, string][] {
  return (specs ?? []).map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`${option} "${spec.replace(/=.*/, '=...')}" is not <keystore>=<src>`);
    return [spec.slice(0, eq), spec.slice(eq + 1)];
  });
}

/** The source given for an instance by its path as written, its absolute path, or its file name. */
function lookup(entries: readonly [string, string][], path: string): string | undefined {
  return entries.find(([key]) => key === path || resolve(key) === resolve(path) || key === basename(path))?.[1];
}
