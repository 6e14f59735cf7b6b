import { InvalidArgumentError } from '../errors.js';
import { getEntry } from '../keystore/alias.js';
import type { Keystore } from '../keystore/model.js';
import { readCertificates } from '../issue/read_certificates.js';

/**
 * Where validatePath's inputs come from when they live in a keystore: the certificates of one
 * entry (leaf first), and every certificate of a store as trust anchors.
 */

/** The chain of a keystore entry, leaf first: the named one, or else the only private-key entry. */
export function entryCertificates(store: Keystore, alias?: string): Uint8Array[] {
  if (alias !== undefined) {
    const entry = getEntry(store, alias);
    if (entry.type === 'trusted-cert') return [entry.certificate];
    if (entry.type === 'secret-key' || entry.chain.length === 0) throw new InvalidArgumentError(`entry "${alias}" holds no certificate`);
    return entry.chain;
  }
  const keys = store.entries.filter((e) => e.type === 'private-key' && e.chain.length > 0);
  if (keys.length === 1 && keys[0]!.type === 'private-key') return keys[0].chain;
  if (keys.length === 0) throw new InvalidArgumentError('the keystore holds no private-key entry with a certificate: name the entry with <keystore>#<alias>');
  throw new InvalidArgumentError(`the keystore holds ${keys.length} private-key entries (${keys.map((k) => k.alias).join(', ')}): name one with <keystore>#<alias>`);
}

/** Every certificate in a store, trusted entries and the chains of key entries alike. */
export function storeCertificates(store: Keystore): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const entry of store.entries) {
    if (entry.type === 'trusted-cert') out.push(entry.certificate);
    else if (entry.type === 'private-key') out.push(...entry.chain);
  }
  if (out.length === 0) throw new InvalidArgumentError('the trust store holds no certificate');
  return out;
}

/** Where a chain's certificates may come from: bytes that are a certificate file, or else a keystore. */
export interface CertificateSource {
  /** The bytes at the location (a PEM bundle or DER certificate, or a keystore). */
  read(): Promise<Uint8Array>;
  /** The keystore at the location, opened (and unlocked) by the caller's means. */
  open(): Promise<Keystore>;
}

/**
 * The chain to validate, leaf first: a certificate file as is, or a keystore entry's chain (the
 * named one, or else the only private-key entry). With an alias the location is a keystore.
 */
export async function subjectCertificates(source: CertificateSource, alias?: string): Promise<Uint8Array[]> {
  if (alias === undefined) {
    const certificates = certificatesOrUndefined(await source.read());
    if (certificates) return certificates;
  }
  return entryCertificates(await source.open(), alias);
}

/** Trust anchors: every certificate of a certificate file, or of a keystore. */
export async function trustCertificates(source: CertificateSource): Promise<Uint8Array[]> {
  const certificates = certificatesOrUndefined(await source.read());
  if (certificates) return certificates;
  return storeCertificates(await source.open());
}

function certificatesOrUndefined(bytes: Uint8Array): Uint8Array[] | undefined {
  try {
    return readCertificates(bytes, 'input');
  } catch {
    return undefined;
  }
}
