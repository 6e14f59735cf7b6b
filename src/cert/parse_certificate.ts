import { HapkiError, KeystoreFormatError } from '../errors.js';
import { x509 } from '../lib/x509.js';
import { readTbs } from './tbs.js';

/** A full X.509 object, for issuing and verifying; listing needs only src/cert/describe.ts. */
export function parseCertificate(der: Uint8Array): x509.X509Certificate {
  // hapki's own bounded reader first: the library's recursion and messages never meet hostile bytes
  readTbs(der);
  try {
    return new x509.X509Certificate(Buffer.from(der));
  } catch (cause) {
    if (cause instanceof HapkiError) throw cause;
    throw new KeystoreFormatError('not a valid X.509 certificate', undefined, { cause });
  }
}
