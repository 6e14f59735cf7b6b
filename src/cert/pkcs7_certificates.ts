import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { OID } from '../asn1/oids.js';
import { KeystoreFormatError } from '../errors.js';

/**
 * The certificates of a PKCS#7 / CMS SignedData (RFC 5652), as CAs send replies and chains
 * (`.p7b`, `.p7c`, `openssl crl2pkcs7`, `keytool -exportcert` never, `-importcert` always
 * accepts them): undefined when the DER is not a SignedData ContentInfo at all, the
 * certificates (in file order, attribute and other certificate kinds left out) when it is.
 */
export function pkcs7Certificates(der: Uint8Array): Uint8Array[] | undefined {
  let contentInfo: DerNode;
  try {
    contentInfo = readDer(der, 'PKCS#7 ContentInfo');
    const [type] = contentInfo.sequence('PKCS#7 ContentInfo');
    if (!type?.is(Tag.oid) || type.oid('PKCS#7 content type') !== OID.signedData) return undefined;
  } catch {
    return undefined;
  }
  const signedData = contentInfo.child(1, 'PKCS#7 content').explicit(0, 'PKCS#7 content');
  const fields = signedData.sequence('PKCS#7 SignedData');
  if (!fields[0]?.is(Tag.integer) || !fields[1]?.is(Tag.set) || !fields[2]?.is(Tag.sequence)) {
    throw new KeystoreFormatError('malformed PKCS#7 SignedData', signedData.offset);
  }
  // certificates [0] IMPLICIT CertificateSet OPTIONAL, after version, digestAlgorithms, encapContentInfo
  const set = fields.slice(3).find((f) => f.is(0, TagClass.context));
  if (!set) return [];
  return set.children.filter((c) => c.is(Tag.sequence)).map((c) => c.encoded);
}

/** PEM labels a PKCS#7 certificate bundle goes under (OpenSSL writes the first, RFC 7468 names the last). */
export const PKCS7_PEM_LABELS: ReadonlySet<string> = new Set(['PKCS7', 'PKCS #7 SIGNED DATA', 'CMS']);
