import { UnsupportedEntryError } from '../errors.js';
import { aliasKey } from './alias.js';
import type { EntryType, Keystore, KeystoreEntry, KeystoreFormat } from './model.js';
import { unlockedKey } from './unlocked_key.js';

export interface SkippedEntry {
  alias: string;
  reason: string;
}

export interface RenamedEntry {
  from: string;
  to: string;
}

export interface Conversion {
  store: Keystore;
  /** Entries the target format cannot hold, with why; the caller says so to the user. */
  skipped: SkippedEntry[];
  /** Aliases that collide under the target's way of comparing them, and what they became. */
  renamed: RenamedEntry[];
}

const HOLDS: Readonly<Record<KeystoreFormat, readonly EntryType[]>> = {
  PKCS12: ['private-key', 'trusted-cert', 'secret-key'],
  JCEKS: ['private-key', 'trusted-cert', 'secret-key'],
  JKS: ['private-key', 'trusted-cert'],
  PEM: ['private-key', 'trusted-cert'],
  DER: ['private-key', 'trusted-cert'],
};

/**
 * The whole store, re-targeted at another format: every entry the target can hold, keys
 * decrypted (a sealed key stops the conversion with ERR_KEY_PASSWORD or ERR_KEY_LOCKED, since
 * writing the rest without it would lose it silently), aliases made unique under the target's
 * way of comparing them.
 */
export function convertKeystore(source: Keystore, format: KeystoreFormat): Conversion {
  const store: Keystore = { format, entries: [], integrityChecked: source.integrityChecked, warnings: [] };
  const skipped: SkippedEntry[] = [];
  const renamed: RenamedEntry[] = [];
  const seen = new Set<string>();
  for (const entry of source.entries) {
    if (!HOLDS[format].includes(entry.type)) {
      skipped.push({ alias: entry.alias, reason: `${format} cannot hold ${entry.type} entries` });
      continue;
    }
    const copy = copyEntry(entry, format === source.format);
    let alias = copy.alias;
    for (let i = 2; seen.has(aliasKey(format, alias)); i++) alias = `${copy.alias}-${i}`;
    seen.add(aliasKey(format, alias));
    if (alias !== copy.alias) renamed.push({ from: copy.alias, to: alias });
    copy.alias = alias;
    store.entries.push(copy);
  }
  if (format === 'DER' && store.entries.length !== 1) {
    throw new UnsupportedEntryError(`DER holds exactly one certificate or key, and the store has ${store.entries.length} entries to convert`);
  }
  return { store, skipped, renamed };
}

function copyEntry(entry: KeystoreEntry, sameFormat: boolean): KeystoreEntry {
  if (entry.type === 'trusted-cert') return { ...entry };
  // a sealed key, and a key password of its own, carry over only into the entry's own format
  if (sameFormat) return { ...entry };
  const { password: _ownPassword, sealed: _sealed, ...rest } = entry;
  return { ...rest, key: unlockedKey(entry) };
}
