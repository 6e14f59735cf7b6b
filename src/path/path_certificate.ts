import { derProblem } from '../asn1/der_strict.js';
import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { oid as encodeOid } from '../asn1/der_writer.js';
import { OID } from '../asn1/oids.js';
import { KeystoreFormatError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { bytesEqual, latin1 } from '../lib/bytes.js';
import { namesMatch } from './dn_match.js';

/** Extension and attribute OIDs path validation reads (kept here: no other module needs them). */
export const PATH_OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  nameConstraints: '2.5.29.30',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  inhibitAnyPolicy: '2.5.29.54',
  crlDistributionPoints: '2.5.29.31',
  freshestCrl: '2.5.29.46',
  subjectKeyIdentifier: OID.subjectKeyIdentifier,
  authorityKeyIdentifier: OID.authorityKeyIdentifier,
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocsp: '1.3.6.1.5.5.7.48.1',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  anyExtendedKeyUsage: OID.anyExtendedKeyUsage,
  commonName: OID.commonName,
  emailAddress: '1.2.840.113549.1.9.1',
} as const;

/** A GeneralName (RFC 5280 4.2.1.6); `value` is text for the string forms, bytes otherwise. */
export type GeneralName =
  | { type: 'dns' | 'email' | 'uri'; value: string }
  | { type: 'ip'; value: Uint8Array }
  | { type: 'dn'; value: Uint8Array }
  | { type: 'other'; tag: number; value: Uint8Array };

export interface CertExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

export interface NameConstraints {
  permitted: GeneralName[];
  excluded: GeneralName[];
  /** Set, with both lists left empty, when there are more subtrees than LIMITS.nameConstraintSubtrees: the certificate is refused, its subtrees unread. */
  subtrees?: number;
}

/** keyUsage bit numbers (RFC 5280 4.2.1.3). */
export const KEY_CERT_SIGN = 5;
export const CRL_SIGN = 6;

/** A DistributionPoint (certificate) or the name part of an issuingDistributionPoint (CRL). */
export interface DistributionPoint {
  /** fullName */
  names?: GeneralName[];
  /** nameRelativeToCRLIssuer: one encoded RDN (SET) to append to the CRL issuer's name. */
  relativeName?: Uint8Array;
  /** ReasonFlags as a mask (bit n for reason flag n; bit 1 is keyCompromise). */
  reasons?: number;
  cRLIssuer?: GeneralName[];
}

/** DistributionPointName, the CHOICE of a full name or a name relative to the CRL issuer. */
export function readDistributionPointName(node: DerNode, into: DistributionPoint): void {
  if (node.is(0, TagClass.context)) into.names = node.children.map(readGeneralName);
  else if (node.is(1, TagClass.context)) into.relativeName = node.encoded;
  else throw new Error('unexpected DistributionPointName');
}

/** ReasonFlags under an implicit tag, as a mask. */
export function readReasonFlags(node: DerNode): number {
  if (node.constructed || node.content.length === 0) throw new Error('ReasonFlags must be a primitive BIT STRING');
  let mask = 0;
  node.content.subarray(1, 3).forEach((byte, i) => {
    for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) mask |= 1 << (i * 8 + b);
  });
  return mask;
}

/**
 * A certificate as path validation sees it: the raw fields read with the strict DER reader, and
 * the extensions it acts on decoded. Defects a validator must reject (a malformed SAN, a repeated
 * extension) are collected in `defects` instead of thrown, so that a bad intermediate fails only
 * the paths through it while the rest of the pool still chains.
 */
export interface PathCertificate {
  der: Uint8Array;
  version: number;
  serial: Uint8Array;
  /** The encoded tbsCertificate and the signature's bytes. */
  tbs: Uint8Array;
  signatureValue: Uint8Array;
  /** The outer signatureAlgorithm and the one inside tbsCertificate (must be equal). */
  signatureAlgorithm: Uint8Array;
  tbsSignatureAlgorithm: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  /** The subject's RDNs, each as its encoded SET, for directoryName constraints. */
  subjectRdns: Uint8Array[];
  subjectCommonNames: string[];
  subjectEmails: string[];
  spki: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  extensions: CertExtension[];
  basicConstraints?: { ca: boolean; pathLen?: number; critical: boolean };
  /** keyUsage bits by number, when the extension is present. */
  keyUsage?: Set<number>;
  extKeyUsage?: string[];
  subjectAltNames?: GeneralName[];
  nameConstraints?: NameConstraints;
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
  /** certificatePolicies: the policy OIDs, in order. */
  policies?: string[];
  /** policyMappings: issuerDomainPolicy to subjectDomainPolicy pairs. */
  policyMappings?: { issuer: string; subject: string }[];
  policyConstraints?: { requireExplicitPolicy?: number; inhibitPolicyMapping?: number };
  inhibitAnyPolicy?: number;
  /** cRLDistributionPoints (RFC 5280 4.2.1.13). */
  crlDistributionPoints?: DistributionPoint[];
  /** authorityInfoAccess id-ad-ocsp URIs: where the issuer's OCSP responder is. */
  ocspUrls?: string[];
  /** The AKI carries authorityCertIssuer/serial, which only a self-signed anchor must not. */
  authorityKeyIdHasIssuer?: boolean;
  defects: string[];
}

/** Parses a certificate; throws KeystoreFormatError only when its outer structure is not a certificate. */
export function readPathCertificate(der: Uint8Array): PathCertificate {
  const root = readDer(der, 'certificate');
  const parts = root.sequence('certificate');
  if (parts.length !== 3) throw new KeystoreFormatError('certificate must have tbsCertificate, signatureAlgorithm, signature');
  const tbs = parts[0]!;
  const fields = tbs.sequence('tbsCertificate');
  const hasVersion = fields[0]?.is(0, TagClass.context) ?? false;
  const version = hasVersion ? fields[0]!.explicit(0, 'version').integer('version', 2) + 1 : 1;
  const o = hasVersion ? 1 : 0;
  const field = (i: number, what: string): DerNode => tbs.child(i + o, what);
  const validity = field(3, 'validity').sequence('validity');
  const subjectNode = field(4, 'subject').expect(Tag.sequence, 'subject Name');
  const defects: string[] = [];
  const cert: PathCertificate = {
    der,
    version,
    serial: field(0, 'serialNumber').expect(Tag.integer, 'serialNumber').content,
    tbs: tbs.encoded,
    signatureValue: parts[2]!.bits('signature'),
    signatureAlgorithm: parts[1]!.expect(Tag.sequence, 'signatureAlgorithm').encoded,
    tbsSignatureAlgorithm: field(1, 'signature').expect(Tag.sequence, 'signature').encoded,
    issuer: field(2, 'issuer').expect(Tag.sequence, 'issuer Name').encoded,
    subject: subjectNode.encoded,
    subjectRdns: subjectNode.children.map((rdn) => rdn.encoded),
    subjectCommonNames: [],
    subjectEmails: [],
    spki: field(5, 'subjectPublicKeyInfo').expect(Tag.sequence, 'subjectPublicKeyInfo').encoded,
    notBefore: readTime(validity[0], 'notBefore', defects),
    notAfter: readTime(validity[1], 'notAfter', defects),
    extensions: [],
    defects,
  };
  // X.509 certificates are DER (X.690 11): a BER re-framing keeps the signature (which covers the
  // tbsCertificate's bytes) but is another certificate to every fingerprint; strict validators refuse it
  const notDer = derProblem(der);
  if (notDer) defects.push(`not DER: ${notDer}`);
  readSubjectAttributes(subjectNode, cert);
  const extensionsNode = fields.slice(o + 6).find((n) => n.is(3, TagClass.context));
  if (extensionsNode) {
    if (version !== 3) defects.push('extensions in a certificate that is not version 3');
    for (const ext of extensionsNode.child(0, 'extensions').sequence('extensions')) {
      const items = ext.sequence('extension');
      if (items.length < 2 || items.length > 3) throw new KeystoreFormatError(`extension of ${items.length} elements (expected 2 or 3)`, ext.offset);
      const critical = items.length === 3 ? booleanOf(items[1]!) : false;
      cert.extensions.push({ oid: items[0]!.oid('extension id'), critical, value: items[items.length - 1]!.octets('extension value') });
    }
  }
  const seen = new Set<string>();
  for (const ext of cert.extensions) {
    if (seen.has(ext.oid)) defects.push(`extension ${ext.oid} appears more than once`);
    seen.add(ext.oid);
    try {
      decodeExtension(ext, cert);
    } catch (cause) {
      defects.push(`malformed extension ${ext.oid}: ${(cause as Error).message}`);
    }
  }
  return cert;
}

/** Reads a certificate for the pool: one that does not even parse is left out, not fatal. */
export function tryReadPathCertificate(der: Uint8Array): PathCertificate | undefined {
  try {
    return readPathCertificate(der);
  } catch {
    return undefined;
  }
}

export function isSelfIssuedCert(cert: PathCertificate): boolean {
  return namesMatch(cert.issuer, cert.subject);
}

function booleanOf(node: DerNode): boolean {
  node.expect(Tag.boolean, 'critical');
  return node.content[0] !== 0;
}

/** The two attribute types read from a subject, as their encoded OID contents: compared as bytes, not decoded per attribute. */
const COMMON_NAME_OID = encodeOid(PATH_OID.commonName).subarray(2);
const EMAIL_ADDRESS_OID = encodeOid(PATH_OID.emailAddress).subarray(2);

function readSubjectAttributes(subject: DerNode, cert: PathCertificate): void {
  for (const rdn of subject.children) {
    for (const atv of rdn.children) {
      const [type, value] = atv.sequence('AttributeTypeAndValue');
      if (!type || !value) continue;
      const oid = type.oidContent('attribute type');
      try {
        if (bytesEqual(oid, COMMON_NAME_OID)) cert.subjectCommonNames.push(value.text('commonName'));
        else if (bytesEqual(oid, EMAIL_ADDRESS_OID)) cert.subjectEmails.push(value.text('emailAddress'));
      } catch {
        // a CN in an odd string type is never a host name to us
      }
    }
  }
}

/** A UTCTime or GeneralizedTime (RFC 5280 4.1.2.5); fractional seconds are read but noted in `defects`. */
export function readTime(node: DerNode | undefined, what: string, defects: string[]): Date {
  if (!node) throw new KeystoreFormatError(`certificate validity lacks ${what}`);
  if (node.content.length > LIMITS.timeFieldBytes) throw new KeystoreFormatError(`certificate ${what} is a malformed time (${node.content.length} bytes)`, node.offset);
  const text = latin1(node.content);
  let m: RegExpMatchArray | null;
  if (node.is(Tag.utcTime)) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (m) {
      // RFC 5280 4.1.2.5.1: two-digit years 50..99 are 19xx
      const yy = Number(m[1]);
      return utc(yy >= 50 ? 1900 + yy : 2000 + yy, m.slice(2));
    }
  } else if (node.is(Tag.generalizedTime)) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(text);
    if (m) {
      // RFC 5280 4.1.2.5.2 forbids fractional seconds; read them anyway, but the certificate is defective
      if (m[7]) defects.push(`${what} has fractional seconds, which RFC 5280 forbids`);
      return utc(Number(m[1]), m.slice(2, 7));
    }
  }
  throw new KeystoreFormatError(`certificate ${what} is not a valid UTCTime or GeneralizedTime`, node.offset);
}

function utc(year: number, rest: readonly (string | undefined)[]): Date {
  const [mo, d, h, mi, s] = rest.map(Number) as [number, number, number, number, number];
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, s));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new KeystoreFormatError(`certificate time out of range: ${year}-${mo}-${d} ${h}:${mi}:${s}`);
  }
  return date;
}

function decodeExtension(ext: CertExtension, cert: PathCertificate): void {
  const node = (): DerNode => readDer(ext.value, ext.oid);
  switch (ext.oid) {
    case PATH_OID.basicConstraints: {
      const items = node().sequence('basicConstraints');
      let i = 0;
      let ca = false;
      if (items[i]?.is(Tag.boolean)) ca = booleanOf(items[i++]!);
      const bc: { ca: boolean; pathLen?: number; critical: boolean } = { ca, critical: ext.critical };
      if (items[i]) bc.pathLen = items[i]!.integer('pathLenConstraint', 1_000_000);
      cert.basicConstraints = bc;
      return;
    }
    case PATH_OID.keyUsage: {
      const bytes = node().bits('keyUsage');
      const set = new Set<number>();
      bytes.forEach((byte, i) => {
        for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) set.add(i * 8 + b);
      });
      if (set.size === 0) throw new Error('keyUsage with no bit set');
      cert.keyUsage = set;
      return;
    }
    case PATH_OID.extKeyUsage: {
      const oids = node().sequence('extKeyUsage').map((n) => n.oid('key purpose'));
      if (oids.length === 0) throw new Error('extKeyUsage must list at least one purpose');
      cert.extKeyUsage = oids;
      return;
    }
    case PATH_OID.subjectAltName: {
      const names = node().sequence('subjectAltName').map(readGeneralName);
      if (names.length === 0) throw new Error('subjectAltName must hold at least one name');
      cert.subjectAltNames = names;
      return;
    }
    case PATH_OID.nameConstraints: {
      const nc: NameConstraints = { permitted: [], excluded: [] };
      const parts = node().sequence('nameConstraints');
      if (parts.length === 0) throw new Error('nameConstraints with neither permitted nor excluded subtrees');
      const count = parts.reduce((n, part) => n + part.children.length, 0);
      if (count > LIMITS.nameConstraintSubtrees) {
        cert.nameConstraints = { permitted: [], excluded: [], subtrees: count };
        return;
      }
      for (const part of parts) {
        const subtrees = part.children.map((s) => readGeneralName(s.sequence('GeneralSubtree')[0]!));
        if (subtrees.length === 0) throw new Error('empty GeneralSubtrees');
        if (part.is(0, TagClass.context)) nc.permitted.push(...subtrees);
        else if (part.is(1, TagClass.context)) nc.excluded.push(...subtrees);
        else throw new Error('unexpected element in nameConstraints');
      }
      cert.nameConstraints = nc;
      return;
    }
    case PATH_OID.certificatePolicies: {
      const oids = node().sequence('certificatePolicies').map((info) => info.sequence('PolicyInformation')[0]!.oid('policyIdentifier'));
      if (oids.length === 0) throw new Error('certificatePolicies must list at least one policy');
      if (new Set(oids).size !== oids.length) throw new Error('a policy appears more than once');
      cert.policies = oids;
      return;
    }
    case PATH_OID.policyMappings: {
      const pairs = node().sequence('policyMappings').map((m) => {
        const [issuer, subject] = m.sequence('PolicyMapping');
        if (!issuer || !subject) throw new Error('incomplete PolicyMapping');
        return { issuer: issuer.oid('issuerDomainPolicy'), subject: subject.oid('subjectDomainPolicy') };
      });
      if (pairs.length === 0) throw new Error('policyMappings must hold at least one mapping');
      cert.policyMappings = pairs;
      return;
    }
    case PATH_OID.policyConstraints: {
      const pc: { requireExplicitPolicy?: number; inhibitPolicyMapping?: number } = {};
      for (const item of node().sequence('policyConstraints')) {
        if (item.is(0, TagClass.context)) pc.requireExplicitPolicy = skipCerts(item);
        else if (item.is(1, TagClass.context)) pc.inhibitPolicyMapping = skipCerts(item);
        else throw new Error('unexpected element in policyConstraints');
      }
      if (pc.requireExplicitPolicy === undefined && pc.inhibitPolicyMapping === undefined) throw new Error('policyConstraints must not be empty');
      cert.policyConstraints = pc;
      return;
    }
    case PATH_OID.crlDistributionPoints: {
      cert.crlDistributionPoints = node().sequence('cRLDistributionPoints').map((dpNode) => {
        const dp: DistributionPoint = {};
        for (const field of dpNode.sequence('DistributionPoint')) {
          if (field.is(0, TagClass.context)) readDistributionPointName(field.child(0, 'distributionPoint'), dp);
          else if (field.is(1, TagClass.context)) dp.reasons = readReasonFlags(field);
          else if (field.is(2, TagClass.context)) dp.cRLIssuer = field.children.map(readGeneralName);
          else throw new Error('unexpected element in DistributionPoint');
        }
        return dp;
      });
      return;
    }
    case PATH_OID.inhibitAnyPolicy:
      cert.inhibitAnyPolicy = node().integer('inhibitAnyPolicy', 1_000_000);
      return;
    case PATH_OID.subjectKeyIdentifier:
      cert.subjectKeyId = node().octets('subjectKeyIdentifier');
      return;
    case PATH_OID.authorityKeyIdentifier: {
      const items = node().sequence('authorityKeyIdentifier');
      const keyId = items.find((n) => n.is(0, TagClass.context));
      if (keyId) cert.authorityKeyId = keyId.content;
      cert.authorityKeyIdHasIssuer = items.some((n) => n.is(1, TagClass.context) || n.is(2, TagClass.context));
      return;
    }
    case PATH_OID.authorityInfoAccess: {
      const items = node().sequence('authorityInfoAccess');
      if (items.length === 0) throw new Error('authorityInfoAccess must hold at least one access description');
      for (const ad of items) {
        const [method, location] = ad.sequence('AccessDescription');
        const name = readGeneralName(location!);
        if (method!.oid('accessMethod') === PATH_OID.ocsp && name.type === 'uri') (cert.ocspUrls ??= []).push(name.value);
      }
      return;
    }
    default:
      return;
  }
}

/** A SkipCerts INTEGER under an implicit tag: small and non-negative. */
function skipCerts(node: DerNode): number {
  const c = node.content;
  if (node.constructed || c.length === 0 || c.length > 3 || (c[0]! & 0x80) !== 0 || (c.length > 1 && c[0] === 0 && (c[1]! & 0x80) === 0)) throw new Error('SkipCerts must be a small non-negative INTEGER');
  return c.reduce((v, b) => v * 256 + b, 0);
}

/** Decodes one GeneralName; the string forms must be IA5 (7-bit) text. */
export function readGeneralName(node: DerNode): GeneralName {
  if (node.cls !== TagClass.context) throw new Error('GeneralName must be context-tagged');
  switch (node.tag) {
    case 1:
      return { type: 'email', value: ia5(node) };
    case 2:
      return { type: 'dns', value: ia5(node) };
    case 6:
      return { type: 'uri', value: ia5(node) };
    case 7:
      return { type: 'ip', value: node.content };
    case 4:
      return { type: 'dn', value: node.child(0, 'directoryName').expect(Tag.sequence, 'directoryName').encoded };
    default:
      return { type: 'other', tag: node.tag, value: node.content };
  }
}

function ia5(node: DerNode): string {
  if (node.constructed) throw new Error('IA5String must be primitive');
  const bytes = node.content;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7e) throw new Error('IA5String holds a non-ASCII byte');
  return latin1(node.content);
}
