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
  return entryNamed(store.format, store.entries, alias);
}

/**
 * getEntry over entries that may be read one at a time (a store too large to hold whole): the
 * entry under that alias, or ERR_ALIAS_NOT_FOUND listing the aliases seen.
 */
export function entryNamed(format: KeystoreFormat, entries: Iterable<KeystoreEntry>, alias: string): KeystoreEntry {
  const key = aliasKey(format, alias);
  const seen: string[] = [];
  for (const entry of entries) {
    if (aliasKey(format, entry.alias) === key) return entry;
    seen.push(entry.alias);
  }
  throw new AliasNotFoundError(alias, seen);
}

/** An alias not yet used in the store, made from a wish: "server", "server-2", "server-3", ... */
export function uniqueAlias(store: Keystore, wish: string): string {
  return new AliasTaker(store).take(wish);
}

/**
 * uniqueAlias's names ("key", "key-2", ...) for many entries at once, in constant time each: the
 * aliases taken are collected once, not searched for each number (a store holding root-ca-2 ...
 * root-ca-50001, or a bundle of thousands of certificates of one name, took the square of that).
 */
export class AliasTaker {
  private readonly taken = new Set<string>();
  private readonly next = new Map<string, number>();

  constructor(private readonly store: Keystore) {
    for (const e of store.entries) this.taken.add(aliasKey(store.format, e.alias));
  }

  take(wish: string): string {
    const base = wish.trim() === '' ? 'entry' : wish.trim();
    let alias = base;
    for (let i = this.next.get(base) ?? 2; this.taken.has(aliasKey(this.store.format, alias)); i++) {
      alias = `${base}-${i}`;
      this.next.set(base, i + 1);
    }
    this.taken.add(aliasKey(this.store.format, alias));
    return alias;
  }
}

/**
 * Java keystores and BouncyCastle's BKS load into hash tables keyed by the alias, so a file with
 * one alias twice (which only a foreign writer makes) loads as its last entry under that alias.
 * The readers do the same, but say so: silently losing a key is worse than a warning. Entries
 * are noted in file order, then asked about one by one.
 */
export class LastEntryPerAlias {
  private readonly last = new Map<string, { index: number; alias: string; count: number }>();

  /** `keyOf`: how the format compares aliases (aliasKey for Java's, exact for BKS). */
  constructor(private readonly keyOf: (alias: string) => string) {}

  /** Notes the entry at `index` (rising) under `alias`. */
  add(index: number, alias: string): void {
    const k = this.keyOf(alias);
    this.last.set(k, { index, alias, count: (this.last.get(k)?.count ?? 0) + 1 });
  }

  /** Whether the entry at `index` under `alias` is the one kept: the last under its alias. */
  keeps(index: number, alias: string): boolean {
    return this.last.get(this.keyOf(alias))?.index === index;
  }

  /** How many entries are kept. */
  get size(): number {
    return this.last.size;
  }

  /** One warning per alias met more than once. */
  warnings(): string[] {
    const duplicates = [...this.last.values()].filter((l) => l.count > 1).sort((a, b) => b.index - a.index);
    return duplicates.map((d) => `duplicate alias "${d.alias}": keeping the last of ${d.count} entries, as keytool does`);
  }
}
