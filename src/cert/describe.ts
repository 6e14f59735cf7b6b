import { OID } from '../asn1/oids.js';
import { sha256Hex } from '../crypto/digest.js';
import { KeystoreFormatError } from '../errors.js';
import { toHex } from '../lib/bytes.js';
import { formatName } from './format_name.js';
import { formatGeneralNames } from './general_names.js';
import { readTbs } from './tbs.js';

/** What hapki shows of a certificate: the fields `hapki list --json` prints, in that shape. */
export interface CertificateSummary {
  /** RFC 4514, most specific first, as keytool prints and `--subject` reads. */
  subject: string;
  issuer: string;
  /** Serial number, lower-case hex without leading zero bytes. */
  serial: string;
  /** ISO 8601, UTC. */
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER encoding, lower-case hex without colons. */
  sha256: string;
  /** Subject alternative names as "DNS:name", "IP:addr", "email:addr", "URI:uri". */
  san: string[];
}

/**
 * Read with hapki's own DER reader rather than a full X.509 library: listing thousands of
 * certificates (an audit) should not pay for one, and a malformed field is a format error.
 */
export function describeCertificate(der: Uint8Array): CertificateSummary {
  const tbs = readTbs(der);
  return {
    subject: formatName(tbs.subject),
    issuer: formatName(tbs.issuer),
    serial: serialHex(tbs.serial),
    notBefore: tbs.notBefore.toISOString(),
    notAfter: tbs.notAfter.toISOString(),
    sha256: sha256Hex(der),
    san: subjectAltNamesOf(tbs.extensions.get(OID.subjectAltName)?.value),
  };
}

function subjectAltNamesOf(value: Uint8Array | undefined): string[] {
  if (!value) return [];
  try {
    return formatGeneralNames(value);
  } catch (cause) {
    throw new KeystoreFormatError('malformed subjectAltName extension', undefined, { cause });
  }
}

function serialHex(content: Uint8Array): string {
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start++;
  return toHex(content.subarray(start));
}

/** SubjectPublicKeyInfo (DER) of a certificate. */
export function certificatePublicKey(der: Uint8Array): Uint8Array {
  return readTbs(der).spki;
}
