import { InvalidArgumentError, UnsupportedEntryError } from '../errors.js';
import { AliasTaker, getEntry } from './alias.js';
import type { Keystore, KeystoreEntry, KeystoreFormat } from './model.js';
import { nameFor } from './pair_keys.js';
import { unlockedKey } from './unlocked_key.js';
import { trustLimitsDropped } from './convert.js';
import { limitedUses } from './pem/pem_blocks.js';

/** What to take out of an entry: its certificate, its chain, its private key, or all of it. */
export type ExportPart = 'cert' | 'chain' | 'key' | 'all';

export const EXPORT_PARTS: readonly ExportPart[] = ['cert', 'chain', 'key', 'all'];

/** The entry of a keystore that holds one, as keytool's commands default to theirs ("mykey"). */
function onlyEntry(store: Keystore): KeystoreEntry {
  if (store.entries.length === 1) return store.entries[0]!;
  throw new InvalidArgumentError(store.entries.length === 0 ? 'the keystore holds no entry' : `the keystore holds ${store.entries.length} entries: say which with --alias`);
}

/**
 * One entry (or a part of it) as a keystore of its own in the target format, ready to write:
 * a key and chain from a PKCS#12 into PEM, one entry into a new PKCS#12, a certificate as DER.
 * Without an alias, the keystore's only entry.
 */
export function exportEntry(source: Keystore, alias: string | undefined, part: ExportPart, format: KeystoreFormat): Keystore {
  const entry = alias === undefined ? onlyEntry(source) : getEntry(source, alias);
  const entries = partOf(entry, part, format);
  // a PEM output keeps openssl's per-use trust settings; any other format would trust the certificate for every use
  const uses = entry.type === 'trusted-cert' && format !== 'PEM' ? limitedUses(entry.trust) : undefined;
  const warnings = uses ? [trustLimitsDropped(entry.alias, uses, `a ${format} entry`)] : [];
  if (format !== 'PEM') for (const e of entries) if (e.type === 'trusted-cert') delete e.trust;
  return { format, entries, integrityChecked: source.integrityChecked, warnings };
}

function partOf(entry: KeystoreEntry, part: ExportPart, format: KeystoreFormat): KeystoreEntry[] {
  if (entry.type === 'secret-key') {
    if (part !== 'all' && part !== 'key') throw new UnsupportedEntryError(`"${entry.alias}" is a secret key: it has no ${part}`);
    return [{ type: 'secret-key', alias: entry.alias, algorithm: entry.algorithm, key: unlockedKey(entry) }];
  }
  if (entry.type === 'trusted-cert') {
    if (part === 'key') throw new UnsupportedEntryError(`"${entry.alias}" is a trusted certificate: it has no private key`);
    return [{ type: 'trusted-cert', alias: entry.alias, certificate: entry.certificate, ...(entry.trust ? { trust: entry.trust } : {}) }];
  }
  const [leaf] = entry.chain;
  switch (part) {
    case 'key':
      return [{ type: 'private-key', alias: entry.alias, key: unlockedKey(entry), chain: [] }];
    case 'cert':
      if (!leaf) throw new UnsupportedEntryError(`"${entry.alias}" has no certificate`);
      return [{ type: 'trusted-cert', alias: entry.alias, certificate: leaf }];
    case 'chain':
      if (!leaf) throw new UnsupportedEntryError(`"${entry.alias}" has no certificate`);
      return chainEntries(entry.alias, entry.chain, format);
    case 'all':
      return [{ type: 'private-key', alias: entry.alias, key: unlockedKey(entry), chain: [...entry.chain] }];
  }
}

/**
 * The chain as trusted entries: the leaf under the entry's alias, each CA under its common name.
 * CAs often share a name (a re-keyed root, keytool's default "CN=Unknown"), and a Java keystore
 * holds one entry per alias, so a name already taken gets a suffix ("ca", "ca-2").
 */
function chainEntries(alias: string, chain: readonly Uint8Array[], format: KeystoreFormat): KeystoreEntry[] {
  const [leaf, ...cas] = chain;
  const built: Keystore = { format, entries: leaf ? [{ type: 'trusted-cert', alias, certificate: leaf }] : [], integrityChecked: true, warnings: [] };
  const aliases = new AliasTaker(built);
  cas.forEach((certificate, i) => built.entries.push({ type: 'trusted-cert', alias: aliases.take(nameFor(certificate, `${alias}-ca-${i + 1}`)), certificate }));
  return built.entries;
}
