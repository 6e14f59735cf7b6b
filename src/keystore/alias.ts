import { AliasNotFoundError } from '../errors.js';
import type { Keystore, KeystoreEntry, KeystoreFormat } from './model.js';

/**
 * Java keystores (JKS, JCEKS, and the JDK's PKCS#12) look aliases up case-insensitively, folding
 * with the English locale; PEM and DER have no aliases of their own, and hapki's names for
 * their entries compare exactly.
 */
export function aliasKey(format: KeystoreFormat, alias: string): string {
  return format === 'PEM' || format === 'DER' ? alias : alias.toLowerCase();
}

export function aliasesEqual(format: KeystoreFormat, a: string, b: string): boolean {
  return aliasKey(format, a) === aliasKey(format, b);
}

export function findEntry(store: Keystore, alias: string): KeystoreEntry | undefined {
  const key = aliasKey(store.format, alias);
  return store.entries.find((e) => aliasKey(store.format, e.alias) === key);
}

/** The entry under that alias, or ERR_ALIAS_NOT_FOUND listing the aliases that are there. */
export function getEntry(store: Keystore, alias: string): KeystoreEntry {
  const entry = findEntry(store, alias);
  if (!entry) throw new AliasNotFoundError(alias, store.entries.map((e) => e.alias));
  return entry;
}

/** An alias not yet used in the store, made from a wish: "server", "server-2", "server-3", ... */
export function uniqueAlias(store: Keystore, wish: string): string {
  const base = wish.trim() === '' ? 'entry' : wish.trim();
  if (!findEntry(store, base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}-${i}`;
    if (!findEntry(store, candidate)) return candidate;
  }
}
