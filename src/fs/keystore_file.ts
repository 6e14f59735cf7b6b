import { sha256Hex } from '../crypto/digest.js';
import { FileNotFoundError } from '../errors.js';
import { readKeystore, type ReadKeystoreOptions } from '../keystore/read_keystore.js';
import type { WriteOptions } from '../keystore/codec.js';
import { emptyKeystore, type Keystore, type KeystoreFormat } from '../keystore/model.js';
import { javaProblems, refuseKeyWithoutCertificate } from '../keystore/java_readers.js';
import { rewriteKeystore, writeKeystore } from '../keystore/write_keystore.js';
import { writePathSettings } from '../txn/config.js';
import { commitChangeSet, type FileChange } from '../txn/change_set.js';
import { readFileBytes } from './read_file.js';

export async function openKeystore(path: string, options: ReadKeystoreOptions = {}): Promise<Keystore> {
  return readKeystore(await readFileBytes(path), options);
}

export interface SaveKeystoreOptions extends WriteOptions {
  format?: KeystoreFormat;
  /** Replace an existing file (default: refuse with ERR_FILE_EXISTS). */
  force?: boolean;
  /** Keep the replaced file as `<path>.bak` (default true). */
  backup?: boolean;
}

/**
 * Encodes first, then writes the keystore as a new output file through the change-set
 * protocol: an encoding error leaves no file behind, and a file holding any private or secret
 * key is created with mode 0600 and given to the caller.
 */
export async function saveKeystore(path: string, store: Keystore, options: SaveKeystoreOptions = {}): Promise<void> {
  await commitChangeSet([await keystoreOutput(path, store, options)]);
}

/** The change that writes a keystore as an output (to commit together with others). */
export async function keystoreOutput(path: string, store: Keystore, options: SaveKeystoreOptions = {}): Promise<FileChange> {
  const bytes = await encodeNewKeystore(path, store, options);
  return { path, action: 'write', content: bytes, force: options.force ?? false, backup: options.backup ?? true, private: holdsSecrets(store) };
}

/**
 * Encodes a keystore about to become a new file at `path` (or to be given a new password). A new
 * PKCS#12 with a private key but no certificate is refused (keytool cannot import it:
 * ERR_UNSUPPORTED_ENTRY); a PKCS#12 password outside ASCII, which Java's tools cannot open, is
 * told to the write path's warnings, and the file is written all the same.
 */
export async function encodeNewKeystore(path: string, store: Keystore, options: WriteOptions & { format?: KeystoreFormat } = {}): Promise<Uint8Array> {
  const target = { ...store, format: options.format ?? store.format };
  refuseKeyWithoutCertificate(target);
  warnJavaProblems(path, target, options.password);
  return writeKeystore(store, options);
}

/** What Java's tools will not take from a store about to be written (the file is written all the same). */
function warnJavaProblems(path: string, store: Keystore, password: string | undefined): void {
  for (const problem of javaProblems(store, password)) writePathSettings().warn(`${path}: ${problem}`);
}

export interface UpdateKeystoreOptions extends ReadKeystoreOptions {
  /** The password to write the keystore with (default: the one it is read with). */
  writePassword?: string;
  /** Keep the replaced file as `<path>.bak` (default true). */
  backup?: boolean;
  /** Where there is no file yet, start from an empty keystore of this format, written under `password` (as keytool -importcert does); else ERR_FILE_NOT_FOUND. */
  create?: KeystoreFormat;
}

/**
 * Rewrites a keystore in place, read-modify-write under its lock: the change is computed from
 * the file as it is once locked, so two processes changing it at once both get their change in.
 * The file keeps its owner, group and mode. `change` returning undefined, or the very store it
 * was given, writes nothing (no new file, no backup turned over); its result is still returned.
 */
export async function updateKeystore<T>(path: string, change: (store: Keystore) => Promise<{ store: Keystore; result: T } | undefined> | { store: Keystore; result: T } | undefined, options: UpdateKeystoreOptions = {}): Promise<T | undefined> {
  let result: T | undefined;
  let secret = false;
  const content = async (current: Uint8Array | undefined): Promise<Uint8Array | undefined> => {
    if (!current && options.create === undefined) throw new FileNotFoundError(path);
    const store = current ? await readKeystore(current, options) : emptyKeystore(options.create!);
    const changed = await change(store);
    if (!changed) return undefined;
    result = changed.result;
    if (changed.store === store) return undefined;
    secret = holdsSecrets(changed.store) || holdsSecrets(store);
    // a new password is a new file to Java's tools (but the entries are the file's own: a key
    // without its certificate that it already holds is kept, as a rewrite in place keeps it)
    if (options.writePassword !== undefined && options.writePassword !== options.password) warnJavaProblems(path, changed.store, options.writePassword);
    if (!current) return encodeNewKeystore(path, changed.store, { ...(options.password === undefined ? {} : { password: options.password }) });
    return rewriteKeystore(changed.store, options.writePassword ?? options.password);
  };
  const fileChange: FileChange = { path, action: 'update', content, backup: options.backup ?? true };
  Object.defineProperty(fileChange, 'private', { get: () => secret, enumerable: true });
  await commitChangeSet([fileChange]);
  return result;
}

export function holdsSecrets(store: Keystore): boolean {
  return store.entries.some((e) => e.type !== 'trusted-cert');
}

/** SHA-256 of a file's current bytes, or null when there is none: what a change computed from it expects at commit. */
export async function currentSha256(path: string): Promise<string | null> {
  try {
    return sha256Hex(await readFileBytes(path));
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_FILE_NOT_FOUND') return null;
    throw error;
  }
}

/** A keystore read together with the hash of the bytes it was read from. */
export async function openKeystoreForUpdate(path: string, options: ReadKeystoreOptions = {}): Promise<{ store: Keystore; sha256: string }> {
  const bytes = await readFileBytes(path);
  return { store: await readKeystore(bytes, options), sha256: sha256Hex(bytes) };
}
