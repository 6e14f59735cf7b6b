import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { OID } from '../asn1/oids.js';
import { bytesEqual } from '../lib/bytes.js';

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
  const tbs = readDer(der, 'certificate').child(0, 'tbsCertificate');
  const fields = tbs.sequence('tbsCertificate');
  // version is an optional [0]; everything after it is positional
  const offset = fields[0]?.is(0, TagClass.context) ? 1 : 0;
  const field = (i: number, what: string): DerNode => tbs.child(i + offset, what);
  const names: CertificateNames = {
    issuer: field(2, 'issuer').expect(Tag.sequence, 'issuer Name').encoded,
    subject: field(4, 'subject').expect(Tag.sequence, 'subject Name').encoded,
    spki: field(5, 'subjectPublicKeyInfo').expect(Tag.sequence, 'subjectPublicKeyInfo').encoded,
  };
  const extensions = fields.slice(offset + 6).find((n) => n.is(3, TagClass.context));
  if (extensions) {
    try {
      Object.assign(names, keyIdentifiers(extensions));
    } catch {
      // key identifiers only refine chain building; a certificate with odd extensions still chains by name
    }
  }
  return names;
}

/** True for a certificate whose subject and issuer names are the same. */
export function isSelfIssued(names: CertificateNames): boolean {
  return bytesEqual(names.issuer, names.subject);
}

function keyIdentifiers(extensions: DerNode): Pick<CertificateNames, 'subjectKeyId' | 'authorityKeyId'> {
  const ids: Pick<CertificateNames, 'subjectKeyId' | 'authorityKeyId'> = {};
  for (const ext of extensions.child(0, 'extensions').sequence('extensions')) {
    const parts = ext.sequence('extension');
    const id = parts[0]?.oid('extension id');
    const value = parts[parts.length - 1]?.octets('extension value');
    if (!value) continue;
    if (id === OID.subjectKeyIdentifier) ids.subjectKeyId = readDer(value, 'subjectKeyIdentifier').octets();
    if (id === OID.authorityKeyIdentifier) {
      const keyId = readDer(value, 'authorityKeyIdentifier').children.find((n) => n.is(0, TagClass.context));
      if (keyId) ids.authorityKeyId = keyId.content;
    }
  }
  return ids;
}
