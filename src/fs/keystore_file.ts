import { readKeystore, type ReadKeystoreOptions } from '../keystore/read_keystore.js';
import type { WriteOptions } from '../keystore/codec.js';
import type { Keystore, KeystoreFormat } from '../keystore/model.js';
import { writeKeystore } from '../keystore/write_keystore.js';
import { writeFileAtomic } from './atomic_write.js';
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
 * Encodes first, then writes atomically: an encoding error leaves no file behind, and a file
 * holding any private or secret key is created with mode 0600.
 */
export async function saveKeystore(path: string, store: Keystore, options: SaveKeystoreOptions = {}): Promise<void> {
  const bytes = await writeKeystore(store, options);
  await writeFileAtomic(path, bytes, {
    force: options.force ?? false,
    backup: options.backup ?? true,
    mode: holdsSecrets(store) ? 0o600 : 0o644,
    secret: holdsSecrets(store),
  });
}

export function holdsSecrets(store: Keystore): boolean {
  return store.entries.some((e) => e.type !== 'trusted-cert');
}
