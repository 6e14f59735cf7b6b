import { describeCertificate } from '../cert/describe.js';
import { findEntry } from '../keystore/alias.js';
import type { EntryType, Keystore } from '../keystore/model.js';
import { keyMatchesCertificate } from '../cert/key_match.js';

export const nextAlias = (alias: string): string => `${alias}-next`;
export const previousAlias = (alias: string): string => `${alias}-previous`;

export interface TokenCertificateFacts {
  /** SHA-256 of the certificate, lower-case hex. */
  sha256: string;
  subject: string;
  /** ISO 8601. */
  notAfter: string;
  /** ISO 8601. */
  notBefore: string;
}

export interface TokenKeyFacts extends TokenCertificateFacts {
  /** Whether the private key belongs to the certificate; undefined while the key is sealed. */
  keyMatches?: boolean;
}

/** What an instance keystore holds of a token: the key entry, and the staged and previous trusted copies. */
export interface TokenState {
  alias: string;
  key?: TokenKeyFacts;
  /** Set when the alias is there but is not a private-key entry (or has no certificate). */
  wrongEntry?: EntryType | 'no-certificate';
  /** The staged next certificate, `<alias>-next`. */
  next?: TokenCertificateFacts;
  /** The replaced certificate, `<alias>-previous`, kept until retired. */
  previous?: TokenCertificateFacts;
}

export function tokenState(store: Keystore, alias: string): TokenState {
  const state: TokenState = { alias };
  const entry = findEntry(store, alias);
  if (entry?.type === 'private-key' && entry.chain[0]) {
    const leaf = entry.chain[0];
    state.key = { ...facts(leaf), ...(entry.key ? { keyMatches: keyMatchesCertificate(entry.key, leaf) } : {}) };
  } else if (entry) {
    state.wrongEntry = entry.type === 'private-key' ? 'no-certificate' : entry.type;
  }
  const next = trustedCertificate(store, nextAlias(alias));
  if (next) state.next = facts(next);
  const previous = trustedCertificate(store, previousAlias(alias));
  if (previous) state.previous = facts(previous);
  return state;
}

/** The certificate of a trusted-cert entry under that alias, if there is one. */
export function trustedCertificate(store: Keystore, alias: string): Uint8Array | undefined {
  const entry = findEntry(store, alias);
  return entry?.type === 'trusted-cert' ? entry.certificate : undefined;
}

function facts(der: Uint8Array): TokenCertificateFacts {
  const summary = describeCertificate(der);
  return { sha256: summary.sha256, subject: summary.subject, notAfter: summary.notAfter, notBefore: summary.notBefore };
}
