import { AliasExistsError } from '../errors.js';
import { findEntry } from '../keystore/alias.js';
import type { Keystore, TrustedCertEntry } from '../keystore/model.js';
import { bytesEqual } from '../lib/bytes.js';
import { assertCertificate } from '../cert/tbs.js';

export interface AddTrustedOptions {
  /** Replace a trusted-certificate entry already under the alias (a key entry is never replaced). */
  force?: boolean;
  now?: Date;
}

export interface AddedTrusted {
  /** A copy of the store with the entry; the input store is left as it was. */
  store: Keystore;
  entry: TrustedCertEntry;
  /** Aliases that already held the same certificate (keytool asks about these; hapki tells). */
  duplicates: string[];
  /** The alias held this very certificate already: `store` is the input store, unchanged. */
  unchanged: boolean;
}

/**
 * Adds a trusted-certificate entry, as `keytool -importcert -trustcacerts` of a CA certificate.
 * An alias already in use is refused like keytool does ("Certificate not imported, alias already exists").
 */
export function addTrustedCertificate(store: Keystore, alias: string, certificate: Uint8Array, options: AddTrustedOptions = {}): AddedTrusted {
  assertCertificate(certificate);
  const existing = findEntry(store, alias);
  // the same certificate under the same alias again (a rerun): nothing to do, with or without force
  if (existing?.type === 'trusted-cert' && bytesEqual(existing.certificate, certificate)) return { store, entry: existing, duplicates: [], unchanged: true };
  if (existing && !(options.force && existing.type === 'trusted-cert')) {
    throw new AliasExistsError(alias, `certificate not imported: alias "${alias}" already exists${existing.type === 'trusted-cert' ? ' (--force replaces it)' : ' and holds a key'}`);
  }
  const duplicates = store.entries.filter((e) => e !== existing && e.type === 'trusted-cert' && bytesEqual(e.certificate, certificate)).map((e) => e.alias);
  const entry: TrustedCertEntry = { type: 'trusted-cert', alias: existing?.alias ?? alias, certificate, created: options.now ?? new Date() };
  const entries = existing ? store.entries.map((e) => (e === existing ? entry : e)) : [...store.entries, entry];
  return { store: { ...store, entries, warnings: [] }, entry, duplicates, unchanged: false };
}
