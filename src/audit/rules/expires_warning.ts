import type { AuditCheck } from '../model.js';
import { distance } from './expiry_text.js';

export const expiresWarningCheck: AuditCheck = {
  id: 'expires-warning',
  severity: 'WARNING',
  description: 'the certificate expires within the warning threshold (--warn, default 30d), but not within --crit',
  run: ({ certificates, at, warnMs, critMs }) =>
    certificates
      .filter((c) => {
        const left = Date.parse(c.summary.notAfter) - at.getTime();
        return left > critMs && left <= warnMs;
      })
      .map((c) => ({ message: `expires ${distance(at.getTime(), Date.parse(c.summary.notAfter))} (${c.summary.notAfter})`, location: c.location, sha256: c.summary.sha256 })),
};
