import { InvalidArgumentError } from '../errors.js';
import { getEntry } from '../keystore/alias.js';
import type { Keystore } from '../keystore/model.js';
import { readCertificatesWithTrust, type CertificateWithTrust } from '../keystore/read_certificates.js';
import { trustedForPurpose, trustedUses, usesText } from '../keystore/pem/pem_blocks.js';

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
  return storeCertificatesWithTrust(store).map((c) => c.der);
}

function storeCertificatesWithTrust(store: Keystore): CertificateWithTrust[] {
  const out: CertificateWithTrust[] = [];
  for (const entry of store.entries) {
    if (entry.type === 'trusted-cert') out.push(entry.trust ? { der: entry.certificate, trust: entry.trust } : { der: entry.certificate });
    else if (entry.type === 'private-key') out.push(...entry.chain.map((der) => ({ der })));
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
    if (certificates) return certificates.map((c) => c.der);
  }
  return entryCertificates(await source.open(), alias);
}

/**
 * Trust anchors: every certificate of a certificate file, or of a keystore, that the store
 * trusts for the purpose (an openssl TRUSTED CERTIFICATE may be trusted for some uses only:
 * pem_blocks trustedForPurpose).
 */
export async function trustCertificates(source: CertificateSource, purpose?: 'server' | 'client'): Promise<Uint8Array[]> {
  return (await trustAnchorsFor(source, purpose)).anchors;
}

/** The anchors a store gives for a purpose, and those its trust settings keep for other uses. */
export interface AnchorsForPurpose {
  anchors: Uint8Array[];
  /** Certificates the store trusts only for other uses (openssl `x509 -addtrust`), with their settings. */
  otherUses: CertificateWithTrust[];
}

export async function trustAnchorsFor(source: CertificateSource, purpose?: 'server' | 'client'): Promise<AnchorsForPurpose> {
  const certificates = certificatesOrUndefined(await source.read()) ?? storeCertificatesWithTrust(await source.open());
  return anchorsForPurpose(certificates, purpose);
}

/** Splits certificates into anchors for the purpose and those trusted for other uses only. */
export function anchorsForPurpose(certificates: readonly CertificateWithTrust[], purpose?: 'server' | 'client'): AnchorsForPurpose {
  const out: AnchorsForPurpose = { anchors: [], otherUses: [] };
  for (const c of certificates) {
    if (trustedForPurpose(c.trust, purpose)) out.anchors.push(c.der);
    else out.otherUses.push(c);
  }
  return out;
}

/** Why certificates of the store were no anchors: "; 1 certificate of the trust store is trusted there only for clientAuth (...)". */
export function otherUsesNote(otherUses: readonly CertificateWithTrust[], purpose: 'server' | 'client' | undefined): string {
  const uses = [...new Set(otherUses.flatMap((c) => trustedUses(c.trust) ?? []))];
  const n = otherUses.length;
  const wanted = purpose === undefined ? 'every use (anyExtendedKeyUsage; or name the use with --purpose)' : `TLS ${purpose} use`;
  return `; ${n} certificate${n === 1 ? '' : 's'} of the trust store ${n === 1 ? 'is' : 'are'} trusted there only for ${usesText(uses)} (openssl TRUSTED CERTIFICATE settings), not for ${wanted}`;
}

function certificatesOrUndefined(bytes: Uint8Array): CertificateWithTrust[] | undefined {
  try {
    return readCertificatesWithTrust(bytes, 'input');
  } catch {
    return undefined;
  }
}
