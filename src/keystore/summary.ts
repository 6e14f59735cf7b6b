import { describeCertificate, type CertificateSummary } from '../cert/describe.js';
import { certificateNames } from '../cert/names.js';
import { describePrivateKey, describePublicKey } from '../crypto/key_info.js';
import type { EntryType, Keystore, KeystoreEntry, KeystoreFormat } from './model.js';
import { limitedUses } from './pem/pem_blocks.js';
import { PURPOSE_NAMES } from '../cert/purpose_names.js';

/** One entry as `hapki list` shows it; the JSON shape is documented in README.md. */
export interface EntrySummary {
  alias: string;
  type: EntryType;
  chain: CertificateSummary[];
  algorithm?: string;
  bits?: number;
  /** When the store records it (JKS/JCEKS entries, JDK-written PKCS#12 keys): keytool's "Creation date", ISO 8601 UTC. */
  created?: string;
  /** A trusted certificate its PEM file (openssl TRUSTED CERTIFICATE, x509 -addtrust) trusts for these uses only: serverAuth, clientAuth... */
  trustedFor?: string[];
}

export interface KeystoreSummary {
  /** The file's format, or PKCS11 for a token listed through a pkcs11: URI. */
  format: KeystoreFormat | 'PKCS11';
  entries: EntrySummary[];
}

export function summarizeKeystore(store: Keystore): KeystoreSummary {
  return { format: store.format, entries: store.entries.map(summarizeEntry) };
}

export function summarizeEntry(entry: KeystoreEntry): EntrySummary {
  const summary = describeEntry(entry);
  const created = entry.created?.getTime();
  if (created !== undefined && Number.isFinite(created)) summary.created = new Date(created).toISOString();
  return summary;
}

function describeEntry(entry: KeystoreEntry): EntrySummary {
  switch (entry.type) {
    case 'trusted-cert': {
      const limited = limitedUses(entry.trust);
      const trustedFor = limited?.map((oid) => PURPOSE_NAMES[oid] ?? oid);
      return { alias: entry.alias, type: entry.type, chain: [describeCertificate(entry.certificate)], ...(trustedFor ? { trustedFor } : {}) };
    }
    case 'secret-key': {
      const summary: EntrySummary = { alias: entry.alias, type: entry.type, chain: [], algorithm: entry.algorithm };
      if (entry.key) summary.bits = secretKeyBits(entry.algorithm, entry.key);
      return summary;
    }
    case 'private-key': {
      const summary: EntrySummary = { alias: entry.alias, type: entry.type, chain: entry.chain.map(describeCertificate) };
      const key = entry.key ? describePrivateKey(entry.key) : entry.chain[0] ? describePublicKey(certificateNames(entry.chain[0]).spki) : undefined;
      if (key) {
        summary.algorithm = key.curve ? `${key.algorithm} ${key.curve}` : key.algorithm;
        if (key.bits !== undefined) summary.bits = key.bits;
      }
      return summary;
    }
  }
}

/**
 * A secret key's size as keytool gives it (`-genseckey -keysize`, "Generated 56-bit DES secret
 * key"): its bytes times eight, except DES and DESede, whose every eighth bit is parity: DES 56,
 * DESede 168, or 112 for a two-key DESede (16 bytes, or 24 whose third key repeats the first, as
 * the JDK makes for -keysize 112).
 */
export function secretKeyBits(algorithm: string, key: Uint8Array): number {
  const name = algorithm.toUpperCase();
  if (name === 'DES' && key.length === 8) return 56;
  if (name === 'DESEDE' || name === 'TRIPLEDES' || name === '3DES') {
    if (key.length === 16) return 112;
    if (key.length === 24) return Buffer.compare(key.subarray(0, 8), key.subarray(16, 24)) === 0 ? 112 : 168;
  }
  return key.length * 8;
}
