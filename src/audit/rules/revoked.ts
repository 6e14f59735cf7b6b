import type { AuditCheck, CheckHit } from '../model.js';

export const revokedCheck: AuditCheck = {
  id: 'revoked',
  severity: 'CRITICAL',
  description: 'the certificate is revoked, by a CRL (--crl, --crl-fetch) or its OCSP responder (--ocsp), checked as `verify` checks them; its issuer must be among the audited certificates',
  run: ({ certificates, revocation }) => {
    if (!revocation) return [];
    const hits: CheckHit[] = [];
    for (const c of certificates) {
      const s = revocation.statuses.get(c.summary.sha256);
      if (s?.status === 'revoked') hits.push({ message: `revoked on ${s.revokedAt.toISOString()} (${s.reason})`, location: c.location, sha256: c.summary.sha256, code: 'ERR_REVOKED' });
    }
    return hits;
  },
};

export const revocationUnknownCheck: AuditCheck = {
  id: 'revocation-unknown',
  severity: 'WARNING',
  description: 'with --crl-required or --ocsp-required: no CRL or OCSP responder establishes whether the certificate is revoked (none covers it, the responder does not know it, its issuer is not audited)',
  run: ({ certificates, revocation }) => {
    if (!revocation?.required) return [];
    const hits: CheckHit[] = [];
    for (const c of certificates) {
      const s = revocation.statuses.get(c.summary.sha256);
      if (s?.status === 'undetermined') hits.push({ message: `revocation status unknown: ${s.why}`, location: c.location, sha256: c.summary.sha256, code: 'ERR_REVOCATION_UNKNOWN' });
    }
    return hits;
  },
};

export const revocationFailedCheck: AuditCheck = {
  id: 'revocation-failed',
  severity: 'UNKNOWN',
  description: 'a CRL could not be fetched or read, or an OCSP responder could not be asked or trusted (a timeout, an error status, a bad signature, a stale answer); the audit goes on without it',
  run: ({ certificates, revocation }) => {
    if (!revocation) return [];
    const hits: CheckHit[] = revocation.failures.map((f) => ({ message: f.message, source: f.source, code: f.code }));
    for (const c of certificates) {
      const s = revocation.statuses.get(c.summary.sha256);
      if (s?.status === 'failed') hits.push({ message: s.why, location: c.location, sha256: c.summary.sha256, code: s.code });
    }
    return hits;
  },
};
