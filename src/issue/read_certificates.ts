import { InvalidArgumentError } from '../errors.js';
import { isPemText, parsePemBlocks } from '../keystore/pem/pem_blocks.js';
import { assertCertificate } from '../cert/tbs.js';

/** The certificates of a PEM bundle (in file order) or of one DER certificate. */
export function readCertificates(bytes: Uint8Array, what = 'certificate file'): Uint8Array[] {
  let certificates: Uint8Array[];
  try {
    certificates = isPemText(bytes) ? parsePemBlocks(bytes).filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE' || b.label === 'X509 CERTIFICATE').map((b) => b.der) : [bytes];
    for (const der of certificates) assertCertificate(der);
  } catch (cause) {
    throw new InvalidArgumentError(`${what}: not a certificate or PEM bundle of certificates: ${(cause as Error).message}`, { cause });
  }
  if (certificates.length === 0) throw new InvalidArgumentError(`${what}: holds no certificate`);
  return certificates;
}
