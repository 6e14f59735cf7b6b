import type { PathErrorCode } from '../path/path_problem.js';
import type { PathCertificate } from '../path/path_certificate.js';

/** The revocation status of one certificate of a path, as one source (CRLs, OCSP) establishes it. */
export type RevocationStatus =
  | { status: 'good' }
  | { status: 'revoked'; reason: string; revokedAt: Date }
  | { status: 'undetermined'; why: string }
  /** The source was asked and could not answer in a way to rely on (a responder error, a forged or stale response): never a pass. */
  | { status: 'failed'; code: PathErrorCode; why: string };

/** Where the status of a certificate comes from: given or fetched CRLs, an OCSP responder, a stapled response. */
export interface RevocationSource {
  /** `above`: the issuer of `cert` first, the trust anchor last. */
  status(cert: PathCertificate, above: readonly PathCertificate[]): RevocationStatus | Promise<RevocationStatus>;
}

/**
 * Asks the sources in order: the first that says revoked or good decides, and one that fails
 * ends the question with its failure; when none can tell, the status is undetermined, with each
 * source's reason.
 */
export async function revocationStatus(sources: readonly RevocationSource[], cert: PathCertificate, above: readonly PathCertificate[]): Promise<RevocationStatus> {
  const whys: string[] = [];
  for (const source of sources) {
    const s = await source.status(cert, above);
    if (s.status !== 'undetermined') return s;
    if (s.why !== '') whys.push(s.why);
  }
  return { status: 'undetermined', why: whys.join('; ') || 'no revocation source given' };
}
