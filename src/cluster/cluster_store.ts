import { HapkiError, PasswordSourceError } from '../errors.js';
import { sha256Hex } from '../crypto/digest.js';
import { readFileBytes } from '../fs/read_file.js';
import { readKeystore } from '../keystore/read_keystore.js';
import { displayLocation } from '../transport/location.js';
import type { Keystore } from '../keystore/model.js';
import type { ClusterStore } from './cluster_file.js';
import { resolveSecret, type ResolveSecretOptions, type SecretRef } from './secrets.js';


export interface OpenedClusterStore {
  file: string;
  /** Undefined when the file is absent. */
  store: Keystore | undefined;
  password: string;
  /** SHA-256 of the file as read: apply commits only if it is still that (ERR_CONCURRENT_CHANGE). */
  sha256?: string;
}

/**
 * A keystore the cluster file names, opened with its password sources; absent is not an error
 * (the caller decides whether to create it). Any other failure keeps its code and says which
 * node and file it was: "msas2 (gateways/msas2/gateway.jks): keystore password was incorrect".
 */
export async function openClusterStore(
  who: string,
  file: string,
  password: SecretRef,
  keyPassword: SecretRef | undefined,
  dir: string,
  options: ResolveSecretOptions = {},
  alias?: string,
): Promise<OpenedClusterStore> {
  const where = `${who} (${displayLocation(dir, file)})`;
  try {
    const resolved = await resolveSecret(password, `password of ${where}`, options);
    const key = keyPassword === undefined ? undefined : await resolveSecret(keyPassword, `key password of ${where}`, options);
    try {
      // the key password is the node entry's own: other entries keep theirs (and stay sealed, not refused)
      const keyOptions = key === undefined ? {} : alias === undefined ? { keyPassword: key } : { keyPasswords: { [alias]: key } };
      const bytes = await readFileBytes(file);
      const store = await readKeystore(bytes, { password: resolved, ...keyOptions });
      return { file, store, password: resolved, sha256: sha256Hex(bytes) };
    } catch (error) {
      if ((error as HapkiError).code === 'ERR_FILE_NOT_FOUND') {
        // apply creates it under this password: an empty one (an empty secrets file) would protect nothing
        if (resolved === '') throw new PasswordSourceError(`${where}: the password is empty; the keystore apply creates needs one`);
        return { file, store: undefined, password: resolved };
      }
      throw error;
    }
  } catch (error) {
    if (error instanceof HapkiError && !error.message.startsWith(where)) throw new HapkiError(error.code, `${where}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** The same for a ClusterStore (its key password, if any, for its own entry only). */
export function openStoreOf(who: string, store: ClusterStore & { alias?: string }, dir: string, options: ResolveSecretOptions = {}): Promise<OpenedClusterStore> {
  return openClusterStore(who, store.keystore, store.password, store.keyPassword, dir, options, store.alias);
}
