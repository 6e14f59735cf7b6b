import { InvalidArgumentError, PolicyError } from '../errors.js';
import { certificateAndTrustOfBlock, CERTIFICATE_LABELS, isPemText, parsePemBlocks } from './pem/pem_blocks.js';
import { assertCertificate } from '../cert/tbs.js';
import { pkcs7Certificates, PKCS7_PEM_LABELS } from '../cert/pkcs7_certificates.js';
import { detectFormat } from './detect.js';

/**
 * The certificates of a PEM bundle (in file order), of one DER certificate, or of a PKCS#7
 * bundle (.p7b, PEM or DER), as keytool -importcert takes a CA's reply.
 */
export function readCertificates(bytes: Uint8Array, what = 'certificate file'): Uint8Array[] {
  return readCertificatesWithTrust(bytes, what).map((c) => c.der);
}

/** A certificate as read, with the trust settings an openssl TRUSTED CERTIFICATE block gave it (pem_blocks trustedUses). */
export interface CertificateWithTrust {
  der: Uint8Array;
  trust?: Uint8Array;
}

/** readCertificates, each certificate with its openssl trust settings when its block had some. */
export function readCertificatesWithTrust(bytes: Uint8Array, what = 'certificate file'): CertificateWithTrust[] {
  let certificates: CertificateWithTrust[];
  try {
    certificates = isPemText(bytes)
      ? parsePemBlocks(bytes).flatMap((b) => (CERTIFICATE_LABELS.has(b.label) ? [certificateAndTrustOfBlock(b)] : PKCS7_PEM_LABELS.has(b.label) ? (pkcs7Certificates(b.der) ?? []).map((der) => ({ der })) : []))
      : (pkcs7Certificates(bytes) ?? [bytes]).map((der) => ({ der }));
    for (const c of certificates) assertCertificate(c.der);
  } catch (cause) {
    if (cause instanceof PolicyError) throw new PolicyError(`${what}: ${cause.message}`);
    const store = keystoreFormatOf(bytes);
    // a keystore given where certificates go (keytool -importcert takes no keystore either)
    if (store) throw new InvalidArgumentError(`${what}: a ${store} keystore, not certificates: export what it holds first (hapki export <keystore> --alias <alias> --what chain --out <file>)`, { cause });
    throw new InvalidArgumentError(`${what}: not a certificate or PEM bundle of certificates: ${(cause as Error).message}`, { cause });
  }
  if (certificates.length === 0) throw new InvalidArgumentError(`${what}: holds no certificate`);
  return certificates;
}

function keystoreFormatOf(bytes: Uint8Array): string | undefined {
  try {
    const format = detectFormat(bytes);
    return format === 'PEM' || format === 'DER' ? undefined : format;
  } catch {
    return undefined;
  }
}
