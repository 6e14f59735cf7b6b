import { encryptPrivateKeyInfo } from '../../crypto/pbe/encrypted_private_key_info.js';
import { KeyLockedError, UnsupportedEntryError } from '../../errors.js';
import type { WriteOptions } from '../codec.js';
import type { Keystore, KeystoreEntry, TrustedCertEntry } from '../model.js';
import { pemArmorLength, writePemArmor } from './pem_blocks.js';

/**
 * Writes a keystore as a PEM bundle in the layout `openssl pkcs12 -nodes` prints: a "Bag
 * Attributes" line with the alias before each entry's blocks, so hapki reads the aliases back.
 * Keys are PKCS#8, encrypted with PBES2 when a password is given (the empty one too: only
 * `password: undefined` writes them in the clear).
 */
export async function writePem(store: Keystore, options: WriteOptions = {}): Promise<Uint8Array> {
  // first the keys (few; encrypted once) and the exact size, then every block written into one
  // buffer: a bundle of thousands of certificates is never held as text as well
  const keyBlocks = new Map<KeystoreEntry, { label: string; der: Uint8Array }>();
  let size = 0;
  for (const entry of store.entries) {
    if (entry.type === 'secret-key') {
      throw new UnsupportedEntryError(`PEM cannot hold secret key "${entry.alias}"`);
    }
    size += Buffer.byteLength(attributesOf(entry.alias), 'utf8');
    if (entry.type === 'trusted-cert') {
      size += pemArmorLength(...trustedBlock(entry));
      continue;
    }
    if (!entry.key) throw new KeyLockedError(entry.alias);
    const block = options.password !== undefined
      ? { label: 'ENCRYPTED PRIVATE KEY', der: await encryptPrivateKeyInfo(entry.key, options.password, iterationOptions(options)) }
      : { label: 'PRIVATE KEY', der: entry.key };
    keyBlocks.set(entry, block);
    size += pemArmorLength(block.label, block.der);
    entry.chain.forEach((cert, i) => (size += (i === 0 ? Buffer.byteLength(attributesOf(entry.alias), 'utf8') : 0) + pemArmorLength('CERTIFICATE', cert)));
  }
  const out = Buffer.alloc(size);
  let at = 0;
  for (const entry of store.entries) {
    const attributes = attributesOf(entry.alias);
    at += out.write(attributes, at, 'utf8');
    if (entry.type === 'trusted-cert') {
      at = writePemArmor(out, at, ...trustedBlock(entry));
      continue;
    }
    const block = keyBlocks.get(entry)!;
    at = writePemArmor(out, at, block.label, block.der);
    if (entry.type !== 'private-key') continue;
    entry.chain.forEach((cert, i) => {
      if (i === 0) at += out.write(attributes, at, 'utf8');
      at = writePemArmor(out, at, 'CERTIFICATE', cert);
    });
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** A trusted entry's block: openssl's TRUSTED CERTIFICATE when it came with trust settings, so they are kept, else CERTIFICATE. */
function trustedBlock(entry: TrustedCertEntry): [string, Uint8Array] {
  return entry.trust ? ['TRUSTED CERTIFICATE', Buffer.concat([entry.certificate, entry.trust])] : ['CERTIFICATE', entry.certificate];
}

function attributesOf(alias: string): string {
  return `Bag Attributes\n    friendlyName: ${alias}\n`;
}

function iterationOptions(options: WriteOptions): { iterations?: number } {
  return options.iterations === undefined ? {} : { iterations: options.iterations };
}
