import { KeystoreFormatError } from '../errors.js';
import { sha256Hex } from '../crypto/digest.js';
import { x509 } from '../lib/x509.js';
import { formatName } from './dn.js';
import { certificateNames } from './names.js';

/** What hapki shows of a certificate: the fields `hapki list --json` prints, in that shape. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Serial number, lower-case hex. */
  serial: string;
  /** ISO 8601, UTC. */
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER encoding, lower-case hex without colons. */
  sha256: string;
  /** Subject alternative names as "DNS:name", "IP:addr", "email:addr", "URI:uri". */
  san: string[];
}

const SAN_PREFIX: Readonly<Record<string, string>> = {
  dns: 'DNS',
  ip: 'IP',
  email: 'email',
  url: 'URI',
  dn: 'DirName',
  guid: 'GUID',
  upn: 'UPN',
  id: 'RID',
};

export function parseCertificate(der: Uint8Array): x509.X509Certificate {
  try {
    return new x509.X509Certificate(Buffer.from(der));
  } catch (cause) {
    throw new KeystoreFormatError(`not a valid X.509 certificate: ${(cause as Error).message}`, undefined, { cause });
  }
}

export function describeCertificate(der: Uint8Array): CertificateSummary {
  const cert = parseCertificate(der);
  const names = certificateNames(der);
  return {
    subject: formatName(names.subject),
    issuer: formatName(names.issuer),
    serial: cert.serialNumber.toLowerCase(),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    sha256: sha256Hex(der),
    san: subjectAltNames(cert),
  };
}

export function subjectAltNames(cert: x509.X509Certificate): string[] {
  let ext: x509.SubjectAlternativeNameExtension | null;
  try {
    ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  } catch {
    return [];
  }
  if (!ext) return [];
  return ext.names.items.map((n) => `${SAN_PREFIX[n.type] ?? n.type}:${n.value}`);
}

/** SubjectPublicKeyInfo (DER) of a certificate. */
export function certificatePublicKey(der: Uint8Array): Uint8Array {
  return new Uint8Array(parseCertificate(der).publicKey.rawData);
}
