import { KEY_USAGE_OID, keyUsageHas } from '../cert/basic_constraints.js';
import { readTbs } from '../cert/tbs.js';
import { emptyKeystore, type KeystoreFormat, type PrivateKeyEntry } from '../keystore/model.js';
import { DEFAULT_TOKEN_ALIAS, type IssuedToken } from './issue_token.js';
import { tokenMaterialOf } from './token_material.js';
import type { Keystore } from '../keystore/model.js';

export interface TokenFromEntryOptions {
  /** Alias in the source keystore (default: its only private-key entry). */
  sourceAlias?: string;
  /** Alias in the new token keystore (default "token"). */
  alias?: string;
  format?: KeystoreFormat;
  now?: Date;
}

/** The token profile's usages and their keyUsage bit numbers (RFC 5280 4.2.1.3). */
const TOKEN_USAGES: readonly [string, number][] = [
  ['digitalSignature', 0],
  ['keyEncipherment', 2],
  ['dataEncipherment', 3],
];

/**
 * A token keystore holding an existing key and chain (an instance's SSL certificate, say, which
 * gateway vendors allow as the token certificate). Warns about token usages its keyUsage lacks.
 */
export function tokenFromEntry(source: Keystore, options: TokenFromEntryOptions = {}): IssuedToken {
  const material = tokenMaterialOf(source, options.sourceAlias);
  const certificate = material.chain[0]!;
  const warnings: string[] = [];
  const usage = readTbs(certificate).extensions.get(KEY_USAGE_OID);
  if (usage) {
    const missing = TOKEN_USAGES.filter(([, bit]) => !keyUsageHas(usage, bit)).map(([name]) => name);
    if (missing.length > 0) warnings.push(`the certificate's keyUsage lacks ${missing.join(', ')}, which the token profile has`);
  }
  const entry: PrivateKeyEntry = { type: 'private-key', alias: options.alias ?? DEFAULT_TOKEN_ALIAS, key: material.key, chain: material.chain, created: options.now ?? new Date() };
  const store = emptyKeystore(options.format ?? 'PKCS12');
  store.entries.push(entry);
  return { store, entry, certificate, warnings };
}
