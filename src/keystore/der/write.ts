import { encryptPrivateKeyInfo } from '../../crypto/pbe/encrypted_private_key_info.js';
import { KeyLockedError, UnsupportedEntryError } from '../../errors.js';
import type { WriteOptions } from '../codec.js';
import type { Keystore } from '../model.js';

/**
 * DER holds a single object: one certificate, or one private key (PKCS#8, encrypted when a
 * password is given, the empty one too: only `password: undefined` writes it in the clear). Anything more is refused rather than silently cut down.
 */
export async function writeDerStore(store: Keystore, options: WriteOptions = {}): Promise<Uint8Array> {
  const [entry, ...rest] = store.entries;
  if (!entry || rest.length > 0) {
    throw new UnsupportedEntryError(`DER holds exactly one certificate or key, not ${store.entries.length} entries (export one with --what cert or --what key)`);
  }
  if (entry.type === 'trusted-cert') return entry.certificate;
  if (entry.type === 'secret-key') throw new UnsupportedEntryError(`DER cannot hold secret key "${entry.alias}"`);
  if (entry.chain.length > 0 && entry.key) {
    throw new UnsupportedEntryError(`DER cannot hold both the key and the certificates of "${entry.alias}" (export one with --what cert or --what key)`);
  }
  if (!entry.key) {
    if (entry.sealed) throw new KeyLockedError(entry.alias);
    const [cert] = entry.chain;
    if (!cert || entry.chain.length > 1) throw new UnsupportedEntryError(`DER holds one certificate, and "${entry.alias}" has ${entry.chain.length}`);
    return cert;
  }
  if (options.password === undefined) return entry.key;
  return encryptPrivateKeyInfo(entry.key, options.password, options.iterations === undefined ? {} : { iterations: options.iterations });
}
