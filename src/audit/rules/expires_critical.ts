import type { AuditCheck } from '../model.js';
import { distance } from './expiry_text.js';

export const expiresCriticalCheck: AuditCheck = {
  id: 'expires-critical',
  severity: 'CRITICAL',
  description: 'the certificate expires within the critical threshold (--crit, default 7d)',
  run: ({ certificates, at, critMs }) =>
    certificates
      .filter((c) => {
        const left = Date.parse(c.summary.notAfter) - at.getTime();
        return left > 0 && left <= critMs;
      })
      .map((c) => ({ message: `expires ${distance(at.getTime(), Date.parse(c.summary.notAfter))} (${c.summary.notAfter})`, location: c.location, sha256: c.summary.sha256 })),
};
