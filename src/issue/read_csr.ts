import { readDer } from '../asn1/der_reader.js';
import { HapkiError, InvalidArgumentError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { parsePemBlocks, isPemText } from '../keystore/pem/pem_blocks.js';
import { x509 } from '../lib/x509.js';
import { toArrayBuffer } from './build_certificate.js';

/** A parsed certificate request, with the raw subject and key as they were encoded. */
export interface ParsedCsr {
  request: x509.Pkcs10CertificateRequest;
  der: Uint8Array;
  /** Subject Name, DER. */
  subject: Uint8Array;
  /** SubjectPublicKeyInfo, DER. */
  publicKey: Uint8Array;
}

const LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);

/** A PKCS#10 request from PEM ("CERTIFICATE REQUEST", or keytool's "NEW CERTIFICATE REQUEST") or DER. */
export function readCsr(bytes: Uint8Array): ParsedCsr {
  if (bytes.length > LIMITS.csrBytes) throw new InvalidArgumentError(`certificate request of ${bytes.length} bytes: more than the ${LIMITS.csrBytes} a request may have`);
  let der = bytes;
  try {
    if (isPemText(bytes)) {
      const block = parsePemBlocks(bytes).find((b) => LABELS.has(b.label));
      if (!block) throw new InvalidArgumentError('no CERTIFICATE REQUEST block');
      der = block.der;
    }
    const info = readDer(der, 'certification request').child(0, 'certificationRequestInfo');
    const subject = info.child(1, 'subject').encoded;
    const publicKey = info.child(2, 'subjectPKInfo').encoded;
    const request = new x509.Pkcs10CertificateRequest(toArrayBuffer(der));
    return { request, der, subject: new Uint8Array(subject), publicKey: new Uint8Array(publicKey) };
  } catch (cause) {
    // hapki's own messages carry an offset; a library's could echo the request's bytes
    const detail = cause instanceof HapkiError ? `: ${cause.message}` : '';
    throw new InvalidArgumentError(`not a PKCS#10 certificate request${detail}`, { cause });
  }
}
