import { sha256Hex } from '../crypto/digest.js';
import type { WebCrypto } from '../crypto/provider.js';
import { AliasExistsError, FileNotFoundError, HapkiError, KeystorePasswordError, PasswordRequiredError, UsageError } from '../errors.js';
import { findEntry } from '../keystore/alias.js';
import type { Keystore } from '../keystore/model.js';
import { readKeystore } from '../keystore/read_keystore.js';
import { pemArmor } from '../keystore/pem/pem_blocks.js';
import { currentSha256, encodeNewKeystore } from '../fs/keystore_file.js';
import { rewriteKeystore } from '../keystore/write_keystore.js';
import { commitChangeSet, type FileChange } from '../txn/change_set.js';
import { settleFiles } from '../txn/recover_paths.js';
import { requestWithNewKey, type NewKeyRequestOptions } from './create_key_entry.js';

/** The keystore a new key goes into, as it was read. */
export interface KeystoreToRewrite {
  path: string;
  store: Keystore;
  password: string;
  /** The key password it was read with, where it differs from `password`. */
  keyPassword?: string;
  /**
   * SHA-256 of the file as read (null: it does not exist yet). A file made meanwhile refuses the
   * commit; one changed meanwhile is read again under its lock and gets the new key added.
   */
  sha256: string | null;
}

/** What a certificate request asks for, as asked: whether each is given. */
export interface CsrRequestChoice {
  /** A new key kept in the keystore, rather than an existing entry's. */
  newKey?: boolean;
  subject?: unknown;
  alias?: unknown;
  kty?: unknown;
  bits?: unknown;
  curve?: unknown;
  storeFormat?: unknown;
}

/**
 * The consistency of a certificate request before anything is read (ERR_USAGE, worded as `hapki
 * csr`'s flags): key type, size, curve and the new keystore's format only for a new key, which
 * needs its subject and its entry's alias (an existing entry has both).
 */
export function checkCsrRequest(choice: CsrRequestChoice): void {
  if (!choice.newKey && (choice.kty ?? choice.bits ?? choice.curve ?? choice.storeFormat) !== undefined) throw new UsageError('--kty, --bits, --curve and --store-format go with --new-key');
  if (choice.newKey && choice.subject === undefined) throw new UsageError('--new-key needs --subject');
  if (choice.newKey && choice.alias === undefined) throw new UsageError('--new-key needs --alias: the name of the new entry');
}

/**
 * What `hapki csr --new-key` writes, as one change set: the keystore with the new key (its old
 * file kept as .bak) and, when `out` names a file, the request beside it (PEM), so that there is
 * never a key nobody asked a certificate for, nor a request without its key. The request is also
 * returned, DER, for a caller that writes it elsewhere (standard output) after the commit.
 */
export async function newKeyRequestChanges(keystore: KeystoreToRewrite, request: NewKeyRequestOptions, out?: { path: string; force: boolean }, crypto?: WebCrypto): Promise<{ changes: FileChange[]; csr: Uint8Array }> {
  checkCsrRequest({ newKey: true, subject: request.subject, alias: request.alias });
  const made = await requestWithNewKey(keystore.store, request, crypto);
  let keystoreChange: FileChange;
  if (keystore.sha256 === null) {
    const bytes = await encodeNewKeystore(keystore.path, made.store, { password: keystore.password });
    keystoreChange = { path: keystore.path, action: 'write', content: bytes, expectedSha256: null, backup: true, private: true };
  } else {
    // the key is made without the lock (an RSA key takes a while); it goes into the file as it is
    // once locked, so that writers queued meanwhile (another new key, an import) all get theirs in
    const bytes = await rewriteKeystore(made.store, keystore.password);
    const readOptions = { password: keystore.password, ...(keystore.keyPassword === undefined ? {} : { keyPassword: keystore.keyPassword }) };
    const content = async (current: Uint8Array | undefined): Promise<Uint8Array> => {
      if (!current) throw new FileNotFoundError(keystore.path);
      if (sha256Hex(current) === keystore.sha256) return bytes;
      const now = await readKeystore(current, readOptions).catch((error: unknown) => {
        throw rewrittenMeanwhile(keystore.path, error);
      });
      if (findEntry(now, request.alias)) throw new AliasExistsError(request.alias, `alias "${request.alias}" was added to the keystore meanwhile: choose another for the new key`);
      return rewriteKeystore({ ...now, entries: [...now.entries, made.entry], warnings: [] }, keystore.password);
    };
    keystoreChange = { path: keystore.path, action: 'update', content, backup: true, private: true };
  }
  const changes: FileChange[] = [keystoreChange];
  if (out) changes.push({ path: out.path, action: 'write', content: pemArmor('CERTIFICATE REQUEST', made.csr), force: out.force, backup: true });
  return { changes, csr: made.csr };
}

/** The keystore a new key goes into, opened by the caller: `exists` as its transport sees it (an ssh:// one is on another host). */
export type OpenKeystoreToRewrite = (exists: boolean) => Promise<{ store: Keystore; password?: string; keyPassword?: string }>;

/**
 * `hapki csr --new-key` from start to commit: what a killed change left at `path` is settled, the
 * file's hash taken before it is read (if it changes meanwhile, the commit adds the key to it as
 * it is then), the keystore opened (or a new one made) by `open`, and newKeyRequestChanges
 * committed. Returns the request, DER, for a caller that writes it elsewhere than `out`.
 */
export async function commitNewKeyRequest(path: string, open: OpenKeystoreToRewrite, request: NewKeyRequestOptions, out?: { path: string; force: boolean }, crypto?: WebCrypto): Promise<Uint8Array> {
  await settleFiles([path]);
  const sha256 = await currentSha256(path);
  const { store, password, keyPassword } = await open(sha256 !== null);
  if (password === undefined) throw new PasswordRequiredError(`${path} needs its password to be rewritten: give --storepass`);
  const { changes, csr } = await newKeyRequestChanges({ path, store, password, sha256, ...(keyPassword === undefined ? {} : { keyPassword }) }, request, out, crypto);
  await commitChangeSet(changes);
  return csr;
}

/**
 * The keystore was rewritten by someone else between its first read and its lock, and cannot be
 * read as it was (a new password, another file put there): said so, naming it. "keystore
 * password was incorrect" alone named no file, and the password had been right a moment before.
 */
function rewrittenMeanwhile(path: string, error: unknown): unknown {
  if (!(error instanceof HapkiError)) return error;
  const what = `${path} was rewritten by another program while the new key was made`;
  if (error instanceof KeystorePasswordError) return new KeystorePasswordError(`${what}, and the password given no longer opens it (changed meanwhile): nothing written; run the command again with its password`, { cause: error });
  return new HapkiError(error.code, `${what}, and cannot be read now: ${error.message}; nothing written`, { cause: error });
}
