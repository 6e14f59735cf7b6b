import {
  describePasswordSource,
  parsePasswordSource,
  readEnvSource,
  readFirstLine,
  type PasswordSource,
} from '../secrets/password_source.js';

/**
 * A password source as a cluster file names it: `env:NAME`, `file:PATH` (first line; a relative
 * path is relative to the cluster file's directory) or `pass:LITERAL` (works, but warns: the
 * file then holds the secret itself). The CLI's fd: and stdin make no sense in a file.
 */
export type SecretRef = Extract<PasswordSource, { kind: 'env' | 'file' | 'pass' }>;

export const SECRET_SOURCES = 'env:NAME, file:PATH or pass:TEXT';

/** The source a spec names, or a sentence saying what is wrong with it (never echoing the spec's secret). */
export function parseSecretRef(spec: string, baseDir: string): SecretRef | string {
  const source = parsePasswordSource(spec, baseDir);
  if (typeof source === 'string') return source.startsWith('a password source is') ? `a password source is ${SECRET_SOURCES}` : source;
  if (source.kind === 'fd' || source.kind === 'stdin') return `a cluster file's password source is ${SECRET_SOURCES}: fd: and stdin belong to a command line`;
  return source;
}

/** How a source is shown to the user: never the secret itself. */
export function describeSecretRef(ref: SecretRef): string {
  return describePasswordSource(ref);
}

export interface ResolveSecretOptions {
  /** Where env: looks (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Told, one line, when a file: source is open to others or owned by another user (see passwordFileProblem). */
  warn?: (message: string, file: string) => void;
}

/** The password itself; `what` names it in an error ("password of msas1"). */
export async function resolveSecret(ref: SecretRef, what: string, options: ResolveSecretOptions = {}): Promise<string> {
  switch (ref.kind) {
    case 'pass':
      return ref.value;
    case 'env':
      return readEnvSource(options.env ?? process.env, ref.name, what);
    case 'file':
      return readFirstLine(ref.path, what, options.warn);
  }
}
