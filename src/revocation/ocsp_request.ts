import { createHash, randomBytes } from 'node:crypto';
import { readDer } from '../asn1/der_reader.js';
import { explicit, nullValue, octetString, oid, sequence, tlv } from '../asn1/der_writer.js';
import type { PathCertificate } from '../path/path_certificate.js';

export const OCSP_OID = {
  nonce: '1.3.6.1.5.5.7.48.1.2',
  basic: '1.3.6.1.5.5.7.48.1.1',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

/** The hashes a CertID may use, by OID (node:crypto names). */
export const CERT_ID_HASHES: Readonly<Record<string, string>> = { [OCSP_OID.sha1]: 'sha1', [OCSP_OID.sha256]: 'sha256', [OCSP_OID.sha384]: 'sha384', [OCSP_OID.sha512]: 'sha512' };

/** A CertID's parts (RFC 6960 4.1.1): which certificate a request or a response speaks of. */
export interface CertId {
  hashOid: string;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** The serial INTEGER's contents octets. */
  serial: Uint8Array;
}

export interface OcspRequest {
  der: Uint8Array;
  certId: CertId;
  /** The nonce extension's extnValue, when one was sent (the response must echo it). */
  nonce?: Uint8Array;
}

/** The subjectPublicKey BIT STRING's value (without the unused-bits octet) of an encoded SubjectPublicKeyInfo. */
export function publicKeyBits(spki: Uint8Array): Uint8Array {
  return readDer(spki, 'SubjectPublicKeyInfo').child(1, 'subjectPublicKey').bits('subjectPublicKey');
}

/** The CertID of `cert` issued by `issuer`, hashed with `hash` (responders expect SHA-1). */
export function certIdOf(cert: PathCertificate, issuer: PathCertificate, hashOid: string = OCSP_OID.sha1): CertId {
  const hash = CERT_ID_HASHES[hashOid];
  if (!hash) throw new TypeError(`certIdOf: no hash for ${hashOid}`);
  const digest = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash(hash).update(bytes).digest());
  return { hashOid, issuerNameHash: digest(cert.issuer), issuerKeyHash: digest(publicKeyBits(issuer.spki)), serial: cert.serial };
}

/**
 * An unsigned OCSPRequest (RFC 6960 4.1) for one certificate: a SHA-1 CertID, as responders
 * expect, and by default a 16-byte nonce (RFC 8954) the response must echo.
 */
export function buildOcspRequest(cert: PathCertificate, issuer: PathCertificate, options: { nonce?: boolean } = {}): OcspRequest {
  const certId = certIdOf(cert, issuer);
  const reqCert = sequence(sequence(oid(certId.hashOid), nullValue()), octetString(certId.issuerNameHash), octetString(certId.issuerKeyHash), tlv(2, certId.serial));
  const nonce = options.nonce === false ? undefined : octetString(new Uint8Array(randomBytes(16)));
  const extensions = nonce ? [explicit(2, sequence(sequence(oid(OCSP_OID.nonce), octetString(nonce))))] : [];
  const der = sequence(sequence(sequence(sequence(reqCert)), ...extensions));
  return { der, certId, ...(nonce ? { nonce } : {}) };
}
