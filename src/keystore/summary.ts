import { describeCertificate, type CertificateSummary } from '../cert/describe.js';
import { certificateNames } from '../cert/names.js';
import { describePrivateKey, describePublicKey } from '../crypto/key_info.js';
import type { EntryType, Keystore, KeystoreEntry, KeystoreFormat } from './model.js';

/** One entry as `hapki list` shows it; the JSON shape is documented in README.md. */
export interface EntrySummary {
  alias: string;
  type: EntryType;
  chain: CertificateSummary[];
  algorithm?: string;
  bits?: number;
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
  switch (entry.type) {
    case 'trusted-cert':
      return { alias: entry.alias, type: entry.type, chain: [describeCertificate(entry.certificate)] };
    case 'secret-key': {
      const summary: EntrySummary = { alias: entry.alias, type: entry.type, chain: [], algorithm: entry.algorithm };
      if (entry.key) summary.bits = entry.key.length * 8;
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
