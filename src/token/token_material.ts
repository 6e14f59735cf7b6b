import { InvalidArgumentError, KeyMismatchError } from '../errors.js';
import type { Keystore, PrivateKeyEntry } from '../keystore/model.js';
import { unlockedKey } from '../keystore/unlocked_key.js';
import { keyEntry } from '../keystore/key_entry.js';
import { keyMatchesCertificate } from '../cert/key_match.js';

/** The shared token key and its chain, leaf first: what every instance of a cluster must hold. */
export interface TokenMaterial {
  /** PKCS#8 PrivateKeyInfo, DER. */
  key: Uint8Array;
  chain: Uint8Array[];
}

/**
 * The token material of a keystore entry: the alias asked for, or the only private-key entry.
 * Its key must be unlocked and belong to its certificate.
 */
export function tokenMaterialOf(store: Keystore, alias?: string): TokenMaterial {
  const entry = tokenKeyEntry(store, alias);
  const key = unlockedKey(entry);
  if (entry.chain.length === 0) throw new InvalidArgumentError(`entry "${entry.alias}" has a key but no certificate`);
  assertKeyMatches(key, entry.chain[0]!, entry.alias);
  return { key, chain: [...entry.chain] };
}

export function tokenKeyEntry(store: Keystore, alias?: string): PrivateKeyEntry {
  return keyEntry(store, alias, { store: 'the token keystore', howToName: '<keystore>#<alias>' });
}

export function assertKeyMatches(pkcs8: Uint8Array, certificate: Uint8Array, alias: string): void {
  if (!keyMatchesCertificate(pkcs8, certificate)) throw new KeyMismatchError(`the private key of entry "${alias}" does not belong to its certificate`);
}
