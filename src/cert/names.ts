import { readDer, TagClass } from '../asn1/der_reader.js';
import { OID } from '../asn1/oids.js';
import { bytesEqual } from '../lib/bytes.js';
import { readTbs } from './tbs.js';

/**
 * The raw pieces of a certificate that chain building needs, read with the strict DER reader
 * (names are compared as encoded, which is how issuers and subjects are matched in practice).
 */
export interface CertificateNames {
  issuer: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  /** SubjectKeyIdentifier and AuthorityKeyIdentifier keyIdentifier, when present. */
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
}

export function certificateNames(der: Uint8Array): CertificateNames {
  const tbs = readTbs(der);
  const names: CertificateNames = { issuer: tbs.issuer, subject: tbs.subject, spki: tbs.spki };
  try {
    const ski = tbs.extensions.get(OID.subjectKeyIdentifier);
    if (ski) names.subjectKeyId = readDer(ski.value, 'subjectKeyIdentifier').octets();
    const aki = tbs.extensions.get(OID.authorityKeyIdentifier);
    const keyId = aki && readDer(aki.value, 'authorityKeyIdentifier').children.find((n) => n.is(0, TagClass.context));
    if (keyId) names.authorityKeyId = keyId.content;
  } catch {
    // key identifiers only refine chain building; a certificate with odd extensions still chains by name
  }
  return names;
}

/** True for a certificate whose subject and issuer names are the same. */
export function isSelfIssued(names: CertificateNames): boolean {
  return bytesEqual(names.issuer, names.subject);
}
