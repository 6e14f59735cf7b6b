import { KeystoreFormatError } from '../errors.js';
import { x509 } from '../lib/x509.js';

/** A full X.509 object, for issuing and verifying; listing needs only src/cert/describe.ts. */
export function parseCertificate(der: Uint8Array): x509.X509Certificate {
  try {
    return new x509.X509Certificate(Buffer.from(der));
  } catch (cause) {
    throw new KeystoreFormatError(`not a valid X.509 certificate: ${(cause as Error).message}`, undefined, { cause });
  }
}
