import { isAbsolute, resolve } from 'node:path';
import { PasswordSourceError } from '../errors.js';
import { readFileBytes } from '../fs/read_file.js';

/**
 * A password source as a cluster file names it: `env:NAME`, `file:PATH` (first line; a relative
 * path is relative to the cluster file's directory) or `pass:LITERAL` (works, but warns: the
 * file then holds the secret itself). The CLI's fd: and stdin make no sense in a file.
 */
export type SecretRef = { kind: 'env'; name: string } | { kind: 'file'; path: string } | { kind: 'pass'; value: string };

export const SECRET_SOURCES = 'env:NAME, file:PATH or pass:TEXT';

/** The source a spec names, or a sentence saying what is wrong with it (never echoing the spec's secret). */
export function parseSecretRef(spec: string, baseDir: string): SecretRef | string {
  if (spec.startsWith('env:')) {
    const name = spec.slice('env:'.length);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? { kind: 'env', name } : 'env: needs a variable name';
  }
  if (spec.startsWith('file:')) {
    const path = spec.slice('file:'.length);
    if (path === '') return 'file: needs a path';
    return { kind: 'file', path: isAbsolute(path) ? path : resolve(baseDir, path) };
  }
  if (spec.startsWith('pass:')) return { kind: 'pass', value: spec.slice('pass:'.length) };
  return `a password source is ${SECRET_SOURCES}`;
}

/** How a source is shown to the user: never the secret itself. */
export function describeSecretRef(ref: SecretRef): string {
  switch (ref.kind) {
    case 'env':
      return `env:${ref.name}`;
    case 'file':
      return `file:${ref.path}`;
    case 'pass':
      return 'pass:…';
  }
}

export interface ResolveSecretOptions {
  /** Where env: looks (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The password itself; `what` names it in an error ("password of msas1"). */
export async function resolveSecret(ref: SecretRef, what: string, options: ResolveSecretOptions = {}): Promise<string> {
  switch (ref.kind) {
    case 'pass':
      return ref.value;
    case 'env': {
      const value = (options.env ?? process.env)[ref.name];
      if (value === undefined) throw new PasswordSourceError(`${what}: environment variable ${ref.name} is not set`);
      return value;
    }
    case 'file': {
      let bytes: Uint8Array;
      try {
        bytes = await readFileBytes(ref.path);
      } catch (cause) {
        throw new PasswordSourceError(`${what}: cannot read ${ref.path} (${(cause as { code?: string }).code ?? 'unreadable'})`, { cause });
      }
      return Buffer.from(bytes).toString('utf8').split(/\r?\n/)[0] ?? '';
    }
  }
}
