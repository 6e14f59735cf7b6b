import { InvalidArgumentError, KeystoreFormatError, PasswordRequiredError, UsageError, type HapkiError } from '../errors.js';
import { findEntry } from '../keystore/alias.js';
import { readKeystore, readKeystoreEntries, type ReadKeystoreOptions } from '../keystore/read_keystore.js';
import type { KeystoreEntryStream } from '../keystore/codec.js';
import { forEachHost, hostOfLocation } from '../transport/fan_out.js';
import { readInput, STDIO } from './stdio.js';
import { emptyKeystore, type Keystore } from '../keystore/model.js';
import { currentSha256 } from '../fs/keystore_file.js';
import { newStoreFormat } from './formats.js';
import type { CliContext } from './context.js';
import { warn } from './io.js';

export interface StoreOptions {
  storepass?: string;
  keypass?: string;
  /** --keypass-in <alias>=<src>: a source key's own password, by alias (convert; keytool -importkeystore asks for each). */
  keypassIn?: string[];
}

export interface OpenedStore {
  store: Keystore;
  /** The store password as resolved, to protect the output with when no --outpass is given. */
  password: string | undefined;
  /** The key password as resolved, where one was given. */
  keyPassword?: string;
}

/** One keystore a command opens: where, with which password options, and the option to name when one is missing. */
export interface StoreRequest {
  path: string;
  options: StoreOptions;
  passOption?: string;
  read?: { privateKeysSealed?: boolean };
}

type Passwords = Pick<OpenedStore, 'password' | 'keyPassword'> & { keyPasswords?: Record<string, string> };

/**
 * Opens a keystore for a command: resolves its passwords from their sources, tells the user
 * what the reader noticed (integrity unchecked, duplicate aliases), and turns "wrong password"
 * into "password required" when none was given at all.
 */
export async function openStoreForCli(ctx: CliContext, path: string, options: StoreOptions, passOption = '--storepass', read: { privateKeysSealed?: boolean } = {}): Promise<OpenedStore> {
  const opened = await readStore(ctx, { path, options, passOption, read }, await resolvePasswords(ctx, path, options));
  warnAbout(ctx, path, opened);
  return opened;
}

/**
 * openStoreForCli for several keystores, possibly on several hosts: every password is resolved
 * first, one after another in the order given (prompts and `stdin` lines keep that order), then
 * the stores are read on all hosts at once (mapByHost, --parallel). The reader's warnings are
 * printed in the order given; the first failure is thrown.
 */
export async function openStoresForCli(ctx: CliContext, requests: readonly StoreRequest[]): Promise<OpenedStore[]> {
  const passwords: Passwords[] = [];
  for (const request of requests) passwords.push(await resolvePasswords(ctx, request.path, request.options));
  const opened = new Array<OpenedStore | undefined>(requests.length);
  try {
    await forEachHost(requests, (r) => hostOfLocation(r.path), async (request, i) => void (opened[i] = await readStore(ctx, request, passwords[i]!)));
  } finally {
    opened.forEach((o, i) => o && warnAbout(ctx, requests[i]!.path, o));
  }
  return opened as OpenedStore[];
}

async function resolvePasswords(ctx: CliContext, path: string, options: StoreOptions): Promise<Passwords> {
  const password = await ctx.passwords.resolve(options.storepass, `password for ${path}`);
  const keyPassword = options.keypass === undefined ? undefined : await ctx.passwords.resolve(options.keypass, 'key password');
  const keyPasswords: Record<string, string> = {};
  for (const spec of options.keypassIn ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError('--keypass-in needs <alias>=<src>, e.g. private=env:KEYPASS');
    const alias = spec.slice(0, eq);
    const resolved = await ctx.passwords.resolve(spec.slice(eq + 1), `key password for "${alias}"`);
    if (resolved !== undefined) keyPasswords[alias] = resolved;
  }
  return { password, ...(keyPassword === undefined ? {} : { keyPassword }), ...(options.keypassIn?.length ? { keyPasswords } : {}) };
}

/**
 * openStoreForCli for a command that looks at each entry in turn and keeps none (list): the
 * entries come one at a time (readKeystoreEntries), the same warnings and errors before them.
 */
export async function openStoreEntriesForCli(ctx: CliContext, path: string, options: StoreOptions, passOption = '--storepass', read: { privateKeysSealed?: boolean } = {}): Promise<KeystoreEntryStream> {
  const { store } = await readStore(ctx, { path, options, passOption, read }, await resolvePasswords(ctx, path, options), readKeystoreEntries);
  for (const warning of store.warnings) warn(ctx.io, `${path}: ${warning}`);
  return store;
}

async function readStore<S extends { warnings: string[] } = Keystore>(
  ctx: CliContext,
  request: StoreRequest,
  { password, keyPassword, keyPasswords }: Passwords,
  reader: (bytes: Uint8Array, options: ReadKeystoreOptions) => Promise<S> = readKeystore as never,
): Promise<{ store: S; password: string | undefined; keyPassword?: string }> {
  let store: S;
  try {
    store = await reader(await readInput(ctx, request.path), {
      ...(password === undefined ? {} : { password }),
      ...(keyPassword === undefined ? {} : { keyPassword }),
      ...(keyPasswords === undefined ? {} : { keyPasswords }),
      ...request.read,
      // a file's bytes are read for this store alone (standard input's are kept: a command may read them twice)
      ...(request.path === STDIO ? {} : { consumeInput: true }),
    });
  } catch (error) {
    if (password === undefined && (error as HapkiError).code === 'ERR_KEYSTORE_PASSWORD') {
      throw new PasswordRequiredError(`${request.path} is password-protected: give ${request.passOption ?? '--storepass'}`);
    }
    throw namingFile(error, request.path === STDIO ? 'standard input' : request.path);
  }
  return { store, password, ...(keyPassword === undefined ? {} : { keyPassword }) };
}

/** A keystore that does not parse is said about its file: a command may read several (verify --trust, trust mesh). */
function namingFile(error: unknown, name: string): unknown {
  if (!(error instanceof KeystoreFormatError) || error.message.startsWith(`${name}:`)) return error;
  return new KeystoreFormatError(`${name}: ${error.message}`, undefined, { cause: error });
}

function warnAbout(ctx: CliContext, path: string, opened: OpenedStore): void {
  for (const warning of opened.store.warnings) warn(ctx.io, `${path}: ${warning}`);
}

/**
 * The keystore `import --trusted` adds to: the file, or, where there is none, a new empty one,
 * as `keytool -importcert` makes the keystore it is given. Its format comes from the name
 * (.p12, .jks, .jceks, .pem, .der ...; else PKCS#12, keytool's default); its password is the
 * --storepass given (asked twice at a terminal), which a PEM or DER one does without.
 */
export async function openOrCreateTrustStore(ctx: CliContext, path: string, options: StoreOptions): Promise<OpenedStore & { created: boolean }> {
  if ((await currentSha256(path)) !== null) return { ...(await openStoreForCli(ctx, path, options)), created: false };
  const store = emptyKeystore(newStoreFormat(path));
  const keyed = store.format !== 'PEM' && store.format !== 'DER';
  const password = keyed || options.storepass !== undefined ? await ctx.passwords.resolveNew(options.storepass, `password for the new keystore ${path}`) : undefined;
  if (keyed && password === undefined) throw new PasswordRequiredError(`${path} does not exist; a new ${store.format} keystore needs a password: give --storepass`);
  return { store, password, created: true };
}

/**
 * --keypass-in names keys of the store read: one naming no key entry (a typo, a trusted
 * certificate) would be dropped without a word, as --keypass-out's are not (ERR_INVALID_ARGUMENT).
 */
export function refuseStrayKeyPasswords(store: Keystore, keypassIn: readonly string[] | undefined, path: string): void {
  for (const spec of keypassIn ?? []) {
    const alias = spec.slice(0, spec.indexOf('='));
    const entry = findEntry(store, alias);
    if (!entry || entry.type === 'trusted-cert') throw new InvalidArgumentError(`--keypass-in "${alias}": ${path} holds no key entry of that alias`);
  }
}
