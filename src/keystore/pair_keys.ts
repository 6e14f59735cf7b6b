import { buildChain } from '../cert/chain.js';
import { commonNameOf } from '../cert/format_name.js';
import { certificateNames } from '../cert/names.js';
import { AliasTaker } from './alias.js';
import type { Keystore, KeystoreEntry } from './model.js';
import { CertificateKeyIndex } from '../cert/key_match.js';

export interface LooseKey {
  key: Uint8Array;
  alias?: string;
}

export interface LooseCertificate {
  der: Uint8Array;
  alias?: string;
  /** openssl trust settings of a TRUSTED CERTIFICATE block (TrustedCertEntry.trust). */
  trust?: Uint8Array;
}

/**
 * Turns a bag of keys and certificates (a PEM bundle) into entries: each key with the
 * certificate holding its public key and that certificate's issuers, leaf first. A certificate
 * becomes a trusted-certificate entry when no chain used it, or when it carries a name of its
 * own (a trusted entry that is also some key's CA keeps its entry).
 */
export function pairKeysWithCertificates(store: Keystore, keys: readonly LooseKey[], certs: readonly LooseCertificate[]): void {
  const pool = certs.map((c) => c.der);
  const used = new Set<string>();
  const keyAliases = new Set(keys.map((k) => k.alias).filter((a) => a !== undefined));
  const byKey = new CertificateKeyIndex(certs, (c) => c.der);
  const aliases = new AliasTaker(store);
  const add = (entry: KeystoreEntry): void => {
    entry.alias = aliases.take(entry.alias);
    store.entries.push(entry);
  };
  for (const key of keys) {
    const matches = byKey.forKey(key.key);
    const leaf = matches.find((c) => key.alias !== undefined && c.alias === key.alias) ?? matches[0];
    const chain = leaf ? buildChain(leaf.der, pool) : [];
    for (const der of chain) used.add(fingerprintKey(der));
    add({ type: 'private-key', alias: key.alias ?? leaf?.alias ?? nameFor(chain[0], 'key'), key: key.key, chain });
  }
  for (const cert of certs) {
    const id = fingerprintKey(cert.der);
    const named = cert.alias !== undefined && !keyAliases.has(cert.alias);
    if (used.has(id) && !named) continue;
    used.add(id);
    add({ type: 'trusted-cert', alias: cert.alias ?? nameFor(cert.der, 'cert'), certificate: cert.der, ...(cert.trust ? { trust: cert.trust } : {}) });
  }
}

function fingerprintKey(der: Uint8Array): string {
  return Buffer.from(der).toString('base64');
}

/**
 * An alias made from a certificate's subject common name ("msas1.example.com"), lower-cased
 * as Java stores aliases, or the fallback when there is none.
 */
export function nameFor(der: Uint8Array | undefined, fallback: string): string {
  if (!der) return fallback;
  try {
    const subject = certificateNames(der).subject;
    const cn = commonNameOf(subject);
    return cn ? cn.toLowerCase().replace(/[^a-z0-9._@-]+/g, '-').replace(/^-+|-+$/g, '') || fallback : fallback;
  } catch {
    return fallback;
  }
}
