import type { AuditCheck } from '../model.js';
import { distance } from './expiry_text.js';

export const expiredCheck: AuditCheck = {
  id: 'expired',
  severity: 'CRITICAL',
  description: 'the certificate is past its notAfter',
  run: ({ certificates, at }) =>
    certificates
      .filter((c) => Date.parse(c.summary.notAfter) <= at.getTime())
      .map((c) => ({ message: `expired ${distance(at.getTime(), Date.parse(c.summary.notAfter))} (${c.summary.notAfter})`, location: c.location, sha256: c.summary.sha256 })),
};
