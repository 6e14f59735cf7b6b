import type { WebCrypto } from '../crypto/provider.js';
import type { Keystore } from '../keystore/model.js';
import { pemArmor } from '../keystore/pem/pem_blocks.js';
import { encodeNewKeystore } from '../fs/keystore_file.js';
import { rewriteKeystore } from '../keystore/write_keystore.js';
import type { FileChange } from '../txn/change_set.js';
import { requestWithNewKey, type NewKeyRequestOptions } from './create_key_entry.js';

/** The keystore a new key goes into, as it was read. */
export interface KeystoreToRewrite {
  path: string;
  store: Keystore;
  password: string;
  /** SHA-256 of the file as read (null: it does not exist yet); a change meanwhile refuses the commit. */
  sha256: string | null;
}

/**
 * What `hapki csr --new-key` writes, as one change set: the keystore with the new key (its old
 * file kept as .bak) and, when `out` names a file, the request beside it (PEM), so that there is
 * never a key nobody asked a certificate for, nor a request without its key. The request is also
 * returned, DER, for a caller that writes it elsewhere (standard output) after the commit.
 */
export async function newKeyRequestChanges(keystore: KeystoreToRewrite, request: NewKeyRequestOptions, out?: { path: string; force: boolean }, crypto?: WebCrypto): Promise<{ changes: FileChange[]; csr: Uint8Array }> {
  const made = await requestWithNewKey(keystore.store, request, crypto);
  const bytes = keystore.sha256 === null ? await encodeNewKeystore(keystore.path, made.store, { password: keystore.password }) : await rewriteKeystore(made.store, keystore.password);
  const changes: FileChange[] = [{ path: keystore.path, action: keystore.sha256 === null ? 'write' : 'update', content: bytes, expectedSha256: keystore.sha256, backup: true, private: true }];
  if (out) changes.push({ path: out.path, action: 'write', content: pemArmor('CERTIFICATE REQUEST', made.csr), force: out.force, backup: true });
  return { changes, csr: made.csr };
}
