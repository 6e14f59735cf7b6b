import { InvalidArgumentError } from '../errors.js';
import { getEntry } from '../keystore/alias.js';
import type { Keystore } from '../keystore/model.js';

/**
 * Where validatePath's inputs come from when they live in a keystore: the certificates of one
 * entry (leaf first), and every certificate of a store as trust anchors.
 */

/** The chain of a keystore entry, leaf first: the named one, or else the only private-key entry. */
export function entryCertificates(store: Keystore, alias?: string): Uint8Array[] {
  if (alias !== undefined) {
    const entry = getEntry(store, alias);
    if (entry.type === 'trusted-cert') return [entry.certificate];
    if (entry.type === 'secret-key' || entry.chain.length === 0) throw new InvalidArgumentError(`entry "${alias}" holds no certificate`);
    return entry.chain;
  }
  const keys = store.entries.filter((e) => e.type === 'private-key' && e.chain.length > 0);
  if (keys.length === 1 && keys[0]!.type === 'private-key') return keys[0].chain;
  if (keys.length === 0) throw new InvalidArgumentError('the keystore holds no private-key entry with a certificate: name the entry with <keystore>#<alias>');
  throw new InvalidArgumentError(`the keystore holds ${keys.length} private-key entries (${keys.map((k) => k.alias).join(', ')}): name one with <keystore>#<alias>`);
}

/** Every certificate in a store, trusted entries and the chains of key entries alike. */
export function storeCertificates(store: Keystore): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const entry of store.entries) {
    if (entry.type === 'trusted-cert') out.push(entry.certificate);
    else if (entry.type === 'private-key') out.push(...entry.chain);
  }
  if (out.length === 0) throw new InvalidArgumentError('the trust store holds no certificate');
  return out;
}
