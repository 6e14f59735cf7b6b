import { KeyLockedError, KeyPasswordError } from '../errors.js';
import type { PrivateKeyEntry, SecretKeyEntry } from './model.js';

/**
 * The entry's key bytes, or the reason they are not there: a key password that differs from
 * the store password (ERR_KEY_PASSWORD, give --keypass) or a store opened without its password.
 */
export function unlockedKey(entry: PrivateKeyEntry | SecretKeyEntry): Uint8Array {
  if (entry.key) return entry.key;
  if (entry.sealed?.reason === 'wrong-password') throw new KeyPasswordError(entry.alias);
  throw new KeyLockedError(entry.alias);
}
