import { encryptPrivateKeyInfo } from '../../crypto/pbe/encrypted_private_key_info.js';
import { KeyLockedError, UnsupportedEntryError } from '../../errors.js';
import type { WriteOptions } from '../codec.js';
import type { Keystore } from '../model.js';
import { pemArmor } from './pem_blocks.js';

/**
 * Writes a keystore as a PEM bundle in the layout `openssl pkcs12 -nodes` prints: a "Bag
 * Attributes" line with the alias before each entry's blocks, so hapki reads the aliases back.
 * Keys are PKCS#8, encrypted with PBES2 when a password is given.
 */
export async function writePem(store: Keystore, options: WriteOptions = {}): Promise<Uint8Array> {
  let out = '';
  for (const entry of store.entries) {
    const attributes = `Bag Attributes\n    friendlyName: ${entry.alias}\n`;
    if (entry.type === 'secret-key') {
      throw new UnsupportedEntryError(`PEM cannot hold secret key "${entry.alias}"`);
    }
    if (entry.type === 'trusted-cert') {
      out += attributes + pemArmor('CERTIFICATE', entry.certificate);
      continue;
    }
    if (!entry.key) throw new KeyLockedError(entry.alias);
    const keyBlock = options.password
      ? pemArmor('ENCRYPTED PRIVATE KEY', await encryptPrivateKeyInfo(entry.key, options.password, iterationOptions(options)))
      : pemArmor('PRIVATE KEY', entry.key);
    out += attributes + keyBlock;
    entry.chain.forEach((cert, i) => {
      out += (i === 0 ? attributes : '') + pemArmor('CERTIFICATE', cert);
    });
  }
  return new TextEncoder().encode(out);
}

function iterationOptions(options: WriteOptions): { iterations?: number } {
  return options.iterations === undefined ? {} : { iterations: options.iterations };
}
