import { InvalidArgumentError, UnsupportedEntryError } from '../errors.js';
import { aliasesEqual, aliasKey } from './alias.js';
import { secretKeyOid } from './pkcs12/secret_key_algorithms.js';
import type { EntryType, Keystore, KeystoreEntry, KeystoreFormat } from './model.js';
import { unlockedKey } from './unlocked_key.js';
import { limitedUses, usesText } from './pem/pem_blocks.js';
import { escapeText } from '../text/escape.js';

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
  /**
   * How each key of the output is protected: under the output password, under a password of
   * its own (ConvertOptions.keyPasswords), or still sealed as the source had it (a key that
   * could not be opened, carried into its own format unchanged).
   */
  keys: { alias: string; protection: 'output-password' | 'own-password' | 'unchanged' }[];
  /**
   * What the output no longer says: a certificate its PEM source trusted for some uses only
   * (openssl TRUSTED CERTIFICATE settings), which a JKS, JCEKS, PKCS#12 or DER entry trusts for
   * every use. The caller tells the user, as import --trusted does.
   */
  warnings: string[];
}

export interface ConvertOptions {
  /**
   * Key passwords of the output by alias (JKS and JCEKS, where a key has a password of its own);
   * every other key is protected with the output store password.
   */
  keyPasswords?: Readonly<Record<string, string>>;
}

const HOLDS: Readonly<Record<KeystoreFormat, readonly EntryType[]>> = {
  PKCS12: ['private-key', 'trusted-cert', 'secret-key'],
  JCEKS: ['private-key', 'trusted-cert', 'secret-key'],
  JKS: ['private-key', 'trusted-cert'],
  PEM: ['private-key', 'trusted-cert'],
  DER: ['private-key', 'trusted-cert'],
  BKS: ['private-key', 'trusted-cert', 'secret-key'],
};

/**
 * The whole store, re-targeted at another format: every entry the target can hold, keys
 * decrypted (a sealed key stops the conversion with ERR_KEY_PASSWORD or ERR_KEY_LOCKED, since
 * writing the rest without it would lose it silently), aliases made unique under the target's
 * way of comparing them.
 */
export function convertKeystore(source: Keystore, format: KeystoreFormat, options: ConvertOptions = {}): Conversion {
  const store: Keystore = { format, entries: [], integrityChecked: source.integrityChecked, warnings: [] };
  const skipped: SkippedEntry[] = [];
  const renamed: RenamedEntry[] = [];
  const keys: Conversion['keys'] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const own = ownPasswords(format, options.keyPasswords ?? {}, source);
  for (const entry of source.entries) {
    if (!HOLDS[format].includes(entry.type)) {
      skipped.push({ alias: entry.alias, reason: `${format} cannot hold ${entry.type} entries` });
      continue;
    }
    if (entry.type === 'secret-key' && format === 'PKCS12' && !secretKeyOid(entry.algorithm)) {
      // the JDK cannot store these in a PKCS#12 either (keytool: "unrecognized algorithm name")
      skipped.push({ alias: entry.alias, reason: `PKCS12 has no identifier for ${entry.algorithm} secret keys` });
      continue;
    }
    const copy = copyEntry(entry, format === source.format, own.get(entry.alias));
    if (copy.type === 'trusted-cert' && copy.trust && format !== 'PEM') {
      const uses = limitedUses(copy.trust);
      if (uses) warnings.push(trustLimitsDropped(copy.alias, uses, `a ${format} entry`));
      delete copy.trust;
    }
    let alias = copy.alias;
    for (let i = 2; seen.has(aliasKey(format, alias)); i++) alias = `${copy.alias}-${i}`;
    seen.add(aliasKey(format, alias));
    if (alias !== copy.alias) renamed.push({ from: copy.alias, to: alias });
    copy.alias = alias;
    store.entries.push(copy);
  }
  if (source.entries.length > 0 && store.entries.length === 0) {
    // an empty keystore (or an empty PEM file) is no conversion of a store that had entries
    const kinds = [...new Set(skipped.map((s) => s.reason))].join('; ');
    const into = [...new Set(source.entries.map((e) => e.type))].includes('secret-key') ? ' (secret keys go into JCEKS or PKCS12)' : '';
    throw new UnsupportedEntryError(`none of the ${source.entries.length} entries can go into ${format}: ${kinds}${into}`);
  }
  if (format === 'DER' && store.entries.length !== 1) {
    throw new UnsupportedEntryError(`DER holds exactly one certificate or key, and the store has ${store.entries.length} entries to convert`);
  }
  for (const e of store.entries) {
    if (e.type !== 'trusted-cert') keys.push({ alias: e.alias, protection: e.sealed ? 'unchanged' : e.password !== undefined ? 'own-password' : 'output-password' });
  }
  return { store, skipped, renamed, keys, warnings };
}

/**
 * Every key the source opened goes under the output password (or the one asked for it), in
 * every target format, the source's own format included: a key password kept from the source
 * would make the output's keys open with a password the user never gave. Only a key that
 * could not be opened is carried as it is, and only into its own format.
 */
function copyEntry(entry: KeystoreEntry, sameFormat: boolean, ownPassword: string | undefined): KeystoreEntry {
  if (entry.type === 'trusted-cert') return { ...entry };
  const { password: _sourcePassword, sealed: _sealed, ...rest } = entry;
  if (!entry.key && sameFormat && entry.sealed) return { ...entry };
  return { ...rest, key: unlockedKey(entry), ...(ownPassword === undefined ? {} : { password: ownPassword }) };
}

function ownPasswords(format: KeystoreFormat, byAlias: Readonly<Record<string, string>>, source: Keystore): Map<string, string> {
  const out = new Map<string, string>();
  for (const [alias, password] of Object.entries(byAlias)) {
    if (format !== 'JKS' && format !== 'JCEKS') throw new InvalidArgumentError(`a key password of its own (for "${alias}") exists only in JKS and JCEKS: ${format} protects every key with the store password`);
    const entry = source.entries.find((e) => aliasesEqual(format, e.alias, alias));
    if (!entry || entry.type === 'trusted-cert') throw new InvalidArgumentError(`no key entry "${alias}" to give a password of its own`);
    out.set(entry.alias, password);
  }
  return out;
}

/** The warning for a certificate trusted for some uses only, written where no such limit is kept (`where`: "a JKS entry"). */
export function trustLimitsDropped(alias: string, uses: readonly string[], where: string): string {
  return `"${escapeText(alias)}" is trusted only for ${usesText(uses)} (openssl TRUSTED CERTIFICATE settings): ${where} holds no such limits, and is trusted for every use`;
}
