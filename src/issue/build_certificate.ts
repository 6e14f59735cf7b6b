import { bitString, boolean, explicit, implicitPrimitive, integer, octetString, oid, sequence, time, unsignedInteger } from '../asn1/der_writer.js';
import { OID } from '../asn1/oids.js';
import type { Signer } from '../crypto/signer.js';
import { fromHex } from '../lib/bytes.js';
import { keyIdentifier } from './key_id.js';
import { EXTENDED_KEY_USAGE_OIDS, type ExtendedKeyUsageName, type KeyUsageName } from './profiles.js';
import type { SubjectAltName } from './san.js';
import { checkPathLengthValue } from './issuance_checks.js';
import { BASIC_CONSTRAINTS_OID, encodeGeneralNames, SAN_OID } from './san_extension.js';

/** One extension as it goes into a certificate or CRL: its value is the extension's own DER. */
export interface Extension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/**
 * Everything that goes into one certificate; the shared core of CA creation, CSR signing and
 * token certificates. New certificate fields are added here as optional fields, each encoded
 * by one line of certificateExtensions().
 */
export interface CertificateContent {
  /** Subject and issuer Names, DER (the same for a self-signed certificate). */
  subject: Uint8Array;
  issuer: Uint8Array;
  /** SubjectPublicKeyInfo, DER. */
  publicKey: Uint8Array;
  /** The subject's key identifier, when the caller has it; computed from publicKey otherwise. */
  subjectKeyId?: Uint8Array;
  /** The issuer's key identifier for the AKI; none for a self-signed root. */
  authorityKeyId?: Uint8Array;
  /** Lower-case hex of a positive serial number. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  pathLength?: number;
  keyUsage: readonly KeyUsageName[];
  extendedKeyUsage: readonly ExtendedKeyUsageName[];
  sans: readonly SubjectAltName[];
  /** Extensions encoded elsewhere, written after hapki's own, in this order. */
  extraExtensions?: readonly Extension[];
}

/** KeyUsage named bits (RFC 5280 4.2.1.3). */
const KEY_USAGE_BITS: Readonly<Record<KeyUsageName, number>> = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
};

const KEY_USAGE_OID = '2.5.29.15';
const EXTENDED_KEY_USAGE_OID = '2.5.29.37';
const EMPTY_NAME = Uint8Array.of(0x30, 0);

/** Builds the TBSCertificate with hapki's DER writer and signs it; returns the certificate's DER. */
export async function buildCertificate(content: CertificateContent, signer: Signer): Promise<Uint8Array> {
  const tbs = sequence(
    explicit(0, integer(2)),
    unsignedInteger(fromHex(content.serial)),
    signer.signatureAlgorithm,
    content.issuer,
    sequence(time(content.notBefore), time(content.notAfter)),
    content.subject,
    content.publicKey,
    explicit(3, sequence(...certificateExtensions(content).map(encodeExtension))),
  );
  return signed(tbs, signer);
}

/** SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }: a certificate, a request or a CRL. */
export async function signed(tbs: Uint8Array, signer: Signer): Promise<Uint8Array> {
  return sequence(tbs, signer.signatureAlgorithm, bitString(await signer.sign(tbs)));
}

/** The extensions of a certificate with this content, in the order hapki writes them. */
export function certificateExtensions(content: CertificateContent): Extension[] {
  const extensions: Extension[] = [basicConstraints(content.ca, content.ca ? content.pathLength : undefined)];
  if (content.keyUsage.length > 0) extensions.push({ oid: KEY_USAGE_OID, critical: true, value: keyUsage(content.keyUsage) });
  if (content.extendedKeyUsage.length > 0) {
    extensions.push({ oid: EXTENDED_KEY_USAGE_OID, critical: false, value: sequence(...content.extendedKeyUsage.map((name) => oid(EXTENDED_KEY_USAGE_OIDS[name]))) });
  }
  extensions.push({ oid: OID.subjectKeyIdentifier, critical: false, value: octetString(content.subjectKeyId ?? keyIdentifier(content.publicKey)) });
  if (content.authorityKeyId) extensions.push(authorityKeyIdentifier(content.authorityKeyId));
  if (content.sans.length > 0) {
    // RFC 5280 4.2.1.6: with an empty subject the names are the identity, and the extension critical
    const emptySubject = content.subject.length === EMPTY_NAME.length && content.subject[0] === 0x30 && content.subject[1] === 0;
    extensions.push({ oid: SAN_OID, critical: emptySubject, value: encodeGeneralNames(content.sans) });
  }
  extensions.push(...(content.extraExtensions ?? []));
  return extensions;
}

export function encodeExtension(extension: Extension): Uint8Array {
  // DER leaves out a BOOLEAN equal to its DEFAULT (critical FALSE)
  return extension.critical ? sequence(oid(extension.oid), boolean(true), octetString(extension.value)) : sequence(oid(extension.oid), octetString(extension.value));
}

/** AuthorityKeyIdentifier with the keyIdentifier only (RFC 5280 4.2.1.1). */
export function authorityKeyIdentifier(keyId: Uint8Array): Extension {
  return { oid: OID.authorityKeyIdentifier, critical: false, value: sequence(implicitPrimitive(0, keyId)) };
}

function basicConstraints(ca: boolean, pathLength: number | undefined): Extension {
  if (ca && pathLength !== undefined) checkPathLengthValue(pathLength);
  const fields = ca ? [boolean(true), ...(pathLength === undefined ? [] : [integer(pathLength)])] : [];
  return { oid: BASIC_CONSTRAINTS_OID, critical: true, value: sequence(...fields) };
}

/** The named bits as a DER BIT STRING: trailing zero bits dropped, their count in the first octet. */
function keyUsage(names: readonly KeyUsageName[]): Uint8Array {
  let bits = 0;
  let highest = 0;
  for (const name of names) {
    bits |= 0x80 >> KEY_USAGE_BITS[name];
    highest = Math.max(highest, KEY_USAGE_BITS[name]);
  }
  return Uint8Array.of(0x03, 2, 7 - highest, bits);
}
