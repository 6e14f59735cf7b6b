import type { RevocationStatus } from '../../revocation/revocation_source.js';
import type { AuditCertificate, AuditCheck, CheckHit } from '../model.js';
import type { AuditRevocation } from '../revocation.js';

export const revokedCheck: AuditCheck = {
  id: 'revoked',
  severity: 'CRITICAL',
  description: 'the certificate is revoked, by a CRL (--crl, --crl-fetch) or its OCSP responder (--ocsp), checked as `verify` checks them; its issuer must be among the audited certificates',
  run: ({ certificates, revocation }) => {
    if (!revocation) return [];
    return withStatus(certificates, revocation, 'revoked', (s) => ({ message: `revoked on ${s.revokedAt.toISOString()} (${s.reason})`, code: 'ERR_REVOKED' }));
  },
};

export const revocationUnknownCheck: AuditCheck = {
  id: 'revocation-unknown',
  severity: 'WARNING',
  description: 'with --crl-required or --ocsp-required: no CRL or OCSP responder establishes whether the certificate is revoked (none covers it, the responder does not know it, its issuer is not audited)',
  run: ({ certificates, revocation }) => {
    if (!revocation?.required) return [];
    return withStatus(certificates, revocation, 'undetermined', (s) => ({ message: `revocation status unknown: ${s.why}`, code: 'ERR_REVOCATION_UNKNOWN' }));
  },
};

export const revocationFailedCheck: AuditCheck = {
  id: 'revocation-failed',
  severity: 'UNKNOWN',
  description: 'a CRL could not be fetched or read, or an OCSP responder could not be asked or trusted (a timeout, an error status, a bad signature, a stale answer); the audit goes on without it',
  run: ({ certificates, revocation }) => {
    if (!revocation) return [];
    const hits: CheckHit[] = revocation.failures.map((f) => ({ message: f.message, source: f.source, code: f.code }));
    return [...hits, ...withStatus(certificates, revocation, 'failed', (s) => ({ message: s.why, code: s.code }))];
  },
};

/** A hit for each audited certificate whose revocation status is `status`, worded by `say`. */
function withStatus<K extends RevocationStatus['status']>(
  certificates: readonly AuditCertificate[],
  revocation: AuditRevocation,
  status: K,
  say: (s: Extract<RevocationStatus, { status: K }>) => { message: string; code: string },
): CheckHit[] {
  const hits: CheckHit[] = [];
  for (const c of certificates) {
    const s = revocation.statuses.get(c.summary.sha256);
    if (s?.status !== status) continue;
    const { message, code } = say(s as Extract<RevocationStatus, { status: K }>);
    hits.push({ message, location: c.location, sha256: c.summary.sha256, code });
  }
  return hits;
}
