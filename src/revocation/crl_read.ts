import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { CrlFormatError } from '../errors.js';
import { toHex } from '../lib/bytes.js';
import { addTo } from '../lib/multimap.js';
import { readDistributionPointName, readGeneralName, readReasonFlags, readTime, type DistributionPoint, type GeneralName } from '../path/path_certificate.js';
import type { SignedObject } from '../path/path_signature.js';

/** Larger CRLs are refused before parsing: the largest public CRLs are tens of MB, gateway CAs' a few kB. */
export const MAX_CRL_BYTES = 32 * 1024 * 1024;
/** At most this many entries per CRL. */
export const MAX_CRL_ENTRIES = 1_000_000;

const EXT = {
  crlNumber: '2.5.29.20',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  authorityKeyIdentifier: '2.5.29.35',
  freshestCrl: '2.5.29.46',
  // entry extensions
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  certificateIssuer: '2.5.29.29',
} as const;

/** CRL extensions hapki acts on; any other critical one makes the CRL unusable (RFC 5280 5.2). */
const UNDERSTOOD_CRL = new Set<string>([EXT.crlNumber, EXT.deltaCrlIndicator, EXT.issuingDistributionPoint, EXT.authorityKeyIdentifier, EXT.freshestCrl]);
const UNDERSTOOD_ENTRY = new Set<string>([EXT.reasonCode, EXT.invalidityDate, EXT.certificateIssuer]);

export interface IssuingDistributionPoint extends DistributionPoint {
  onlyUserCerts: boolean;
  onlyCaCerts: boolean;
  onlyAttributeCerts: boolean;
  indirect: boolean;
}

export interface CrlEntry {
  /** CRLReason (RFC 5280 5.3.1); absent means unspecified. */
  reason?: number;
  revokedAt: Date;
  /** For an indirect CRL: the encoded issuer Name of the revoked certificate (from the certificateIssuer entry extensions). */
  certificateIssuer?: GeneralName[];
}

/** A CRL as revocation checking sees it. */
export interface Crl extends SignedObject {
  der: Uint8Array;
  issuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Entries by serial number (hex of the INTEGER contents); several when an indirect CRL lists one serial for several issuers. */
  entries: Map<string, CrlEntry[]>;
  crlNumber?: bigint;
  /** Present on a delta CRL: the number of the base CRL it updates. */
  deltaBase?: bigint;
  idp?: IssuingDistributionPoint;
  authorityKeyId?: Uint8Array;
  /** Why the CRL cannot be relied on although it parses (an unknown critical extension). */
  unusable?: string;
}

/**
 * Parses a DER CRL (RFC 5280 section 5) with the strict DER reader. Throws CrlFormatError (with the
 * byte offset where known) for anything that is not a well-formed CRL, and for one over the size
 * or entry limits. Never echoes the input.
 */
export function readCrl(der: Uint8Array): Crl {
  if (!(der instanceof Uint8Array)) throw new TypeError('readCrl: der must be a Uint8Array');
  if (der.length > MAX_CRL_BYTES) throw new CrlFormatError(`the CRL is ${der.length} bytes, more than the ${MAX_CRL_BYTES} hapki reads`);
  try {
    return parse(der);
  } catch (error) {
    if (error instanceof CrlFormatError) throw error;
    throw new CrlFormatError(`malformed CRL: ${(error as Error).message}`);
  }
}

function parse(der: Uint8Array): Crl {
  const parts = readDer(der, 'CRL').sequence('CertificateList');
  if (parts.length !== 3) throw new Error('a CRL has tbsCertList, signatureAlgorithm and signature');
  const tbs = parts[0]!;
  const fields = tbs.sequence('tbsCertList');
  let i = 0;
  if (fields[i]?.is(Tag.integer)) {
    if (fields[i]!.integer('version', 1) !== 1) throw new Error('CRL version must be 2');
    i++;
  }
  const tbsSignatureAlgorithm = fields[i++]?.expect(Tag.sequence, 'signature').encoded;
  const issuer = fields[i++]?.expect(Tag.sequence, 'issuer').encoded;
  if (!tbsSignatureAlgorithm || !issuer) throw new Error('tbsCertList is incomplete');
  const defects: string[] = [];
  const thisUpdate = readTime(fields[i++], 'thisUpdate', defects);
  let nextUpdate: Date | undefined;
  if (fields[i] && (fields[i]!.is(Tag.utcTime) || fields[i]!.is(Tag.generalizedTime))) nextUpdate = readTime(fields[i++], 'nextUpdate', defects);
  const signatureAlgorithm = parts[1]!.expect(Tag.sequence, 'signatureAlgorithm').encoded;
  const crl: Crl = { der, tbs: tbs.encoded, signatureAlgorithm, signatureValue: parts[2]!.bits('signature'), issuer, thisUpdate, entries: new Map() };
  if (nextUpdate) crl.nextUpdate = nextUpdate;
  if (!sameBytes(signatureAlgorithm, tbsSignatureAlgorithm)) crl.unusable = 'its two signature algorithm fields differ';
  if (fields[i]?.is(Tag.sequence)) readEntries(fields[i++]!, crl);
  if (fields[i]?.is(0, TagClass.context)) readCrlExtensions(fields[i++]!.child(0, 'crlExtensions'), crl);
  if (fields[i]) throw new Error('unexpected data after the CRL extensions');
  return crl;
}

function readEntries(list: DerNode, crl: Crl): void {
  const entries = list.children;
  if (entries.length > MAX_CRL_ENTRIES) throw new CrlFormatError(`the CRL lists ${entries.length} certificates, more than the ${MAX_CRL_ENTRIES} hapki reads`);
  let currentIssuer: GeneralName[] | undefined;
  for (const entry of entries) {
    const [serial, date, extensions] = entry.sequence('revokedCertificate');
    if (!serial || !date) throw new Error('incomplete revokedCertificate');
    const e: CrlEntry = { revokedAt: readTime(date, 'revocationDate', []) };
    if (extensions) {
      for (const ext of readExtensions(extensions)) {
        if (ext.oid === EXT.reasonCode) {
          const node = readDer(ext.value, 'reasonCode');
          if (!node.is(10)) throw new Error('reasonCode must be ENUMERATED');
          e.reason = node.content.length === 1 ? node.content[0]! : -1;
        } else if (ext.oid === EXT.certificateIssuer) {
          currentIssuer = readDer(ext.value, 'certificateIssuer').sequence('GeneralNames').map(readGeneralName);
        } else if (ext.critical && !UNDERSTOOD_ENTRY.has(ext.oid)) {
          crl.unusable = `an entry has critical extension ${ext.oid}, which hapki does not process`;
        }
      }
    }
    // RFC 5280 5.3.3: an entry without certificateIssuer inherits the previous entry's
    if (currentIssuer) e.certificateIssuer = currentIssuer;
    const key = toHex(serial.expect(Tag.integer, 'userCertificate').content);
    addTo(crl.entries, key, e);
  }
}

function readCrlExtensions(node: DerNode, crl: Crl): void {
  for (const ext of readExtensions(node)) {
    const value = (): DerNode => readDer(ext.value, ext.oid);
    switch (ext.oid) {
      case EXT.crlNumber:
        // RFC 5280 5.2.3: non-critical; a CRL that marks it critical is not one to rely on
        if (ext.critical) crl.unusable = 'its cRLNumber extension is marked critical';
        crl.crlNumber = value().bigint('cRLNumber');
        break;
      case EXT.deltaCrlIndicator:
        crl.deltaBase = value().bigint('BaseCRLNumber');
        break;
      case EXT.authorityKeyIdentifier: {
        const keyId = value().sequence('authorityKeyIdentifier').find((n) => n.is(0, TagClass.context));
        if (keyId) crl.authorityKeyId = keyId.content;
        break;
      }
      case EXT.issuingDistributionPoint:
        crl.idp = readIdp(value());
        break;
      default:
        if (ext.critical && !UNDERSTOOD_CRL.has(ext.oid)) crl.unusable = `it has critical extension ${ext.oid}, which hapki does not process`;
    }
  }
}

function readIdp(node: DerNode): IssuingDistributionPoint {
  const idp: IssuingDistributionPoint = { onlyUserCerts: false, onlyCaCerts: false, onlyAttributeCerts: false, indirect: false };
  const flag = (n: DerNode): boolean => {
    if (n.constructed || n.content.length !== 1) throw new Error('a BOOLEAN must be one byte');
    return n.content[0] !== 0;
  };
  for (const field of node.sequence('issuingDistributionPoint')) {
    if (field.cls !== TagClass.context) throw new Error('unexpected element in issuingDistributionPoint');
    if (field.tag === 0) readDistributionPointName(field.child(0, 'distributionPoint'), idp);
    else if (field.tag === 1) idp.onlyUserCerts = flag(field);
    else if (field.tag === 2) idp.onlyCaCerts = flag(field);
    else if (field.tag === 3) idp.reasons = readReasonFlags(field);
    else if (field.tag === 4) idp.indirect = flag(field);
    else if (field.tag === 5) idp.onlyAttributeCerts = flag(field);
    else throw new Error('unexpected element in issuingDistributionPoint');
  }
  return idp;
}

function readExtensions(node: DerNode): { oid: string; critical: boolean; value: Uint8Array }[] {
  const out = node.sequence('extensions').map((ext) => {
    const items = ext.sequence('extension');
    const critical = items.length === 3 ? items[1]!.expect(Tag.boolean, 'critical').content[0] !== 0 : false;
    return { oid: items[0]!.oid('extension id'), critical, value: items[items.length - 1]!.octets('extension value') };
  });
  if (new Set(out.map((e) => e.oid)).size !== out.length) throw new Error('an extension appears more than once');
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
