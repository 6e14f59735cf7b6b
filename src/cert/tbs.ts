import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { KeystoreFormatError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { latin1 } from '../lib/bytes.js';

export interface CertificateExtension {
  critical: boolean;
  /** The extnValue contents: the extension's own DER. */
  value: Uint8Array;
}

/**
 * The fields of a certificate's TBSCertificate, read with the strict DER reader: everything
 * listing, pairing and chain building need, without loading a full X.509 library.
 */
export interface TbsFields {
  /** Serial number contents octets (two's complement, as encoded). */
  serial: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  extensions: ReadonlyMap<string, CertificateExtension>;
}

export function readTbs(der: Uint8Array): TbsFields {
  const tbs = readDer(der, 'certificate').child(0, 'tbsCertificate');
  const fields = tbs.sequence('tbsCertificate');
  // version is an optional [0]; everything after it is positional
  const offset = fields[0]?.is(0, TagClass.context) ? 1 : 0;
  const field = (i: number, what: string): DerNode => tbs.child(i + offset, what);
  const validity = field(3, 'validity').sequence('validity');
  return {
    serial: field(0, 'serialNumber').expect(Tag.integer, 'serialNumber').content,
    issuer: field(2, 'issuer').expect(Tag.sequence, 'issuer Name').encoded,
    subject: field(4, 'subject').expect(Tag.sequence, 'subject Name').encoded,
    notBefore: readTime(validity[0], 'notBefore'),
    notAfter: readTime(validity[1], 'notAfter'),
    spki: field(5, 'subjectPublicKeyInfo').expect(Tag.sequence, 'subjectPublicKeyInfo').encoded,
    extensions: readExtensions(fields.slice(offset + 6).find((n) => n.is(3, TagClass.context))),
  };
}

function readExtensions(wrapper: DerNode | undefined): Map<string, CertificateExtension> {
  const map = new Map<string, CertificateExtension>();
  if (!wrapper) return map;
  for (const ext of wrapper.child(0, 'extensions').sequence('extensions')) {
    const parts = ext.sequence('extension');
    const id = ext.child(0, 'extension id').oid('extension id');
    const critical = parts.length === 3 && parts[1]!.is(Tag.boolean) && parts[1]!.content[0] !== 0;
    map.set(id, { critical, value: parts[parts.length - 1]!.octets('extension value') });
  }
  return map;
}

function readTime(node: DerNode | undefined, what: string): Date {
  if (!node) throw new KeystoreFormatError(`certificate without ${what}`);
  const utc = node.is(Tag.utcTime);
  if (!utc && !node.is(Tag.generalizedTime)) throw new KeystoreFormatError(`${what} is not a time`, node.offset);
  if (node.constructed || node.content.length > LIMITS.timeFieldBytes) throw new KeystoreFormatError(`${what} is a malformed time (${node.content.length} bytes)`, node.offset);
  const text = latin1(node.content);
  const m = (utc ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/ : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/).exec(text);
  if (!m) throw new KeystoreFormatError(`${what} is not a well-formed UTC time`, node.offset);
  const year = utc ? (Number(m[1]) >= 50 ? 1900 : 2000) + Number(m[1]) : Number(m[1]);
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}

/**
 * Refuses (KeystoreFormatError) bytes that are not a certificate: the three parts of a
 * Certificate, a TBSCertificate whose fields read, and a signature BIT STRING.
 */
export function assertCertificate(der: Uint8Array): void {
  const parts = readDer(der, 'certificate').sequence('certificate');
  if (parts.length !== 3) throw new KeystoreFormatError(`a certificate has 3 parts, not ${parts.length}`);
  parts[1]!.sequence('signatureAlgorithm');
  parts[2]!.bits('signature');
  readTbs(der);
}
