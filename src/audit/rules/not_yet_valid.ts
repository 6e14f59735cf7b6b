import type { AuditCheck } from '../model.js';
import { distance } from './expiry_text.js';

export const notYetValidCheck: AuditCheck = {
  id: 'not-yet-valid',
  severity: 'WARNING',
  description: 'the certificate\'s notBefore is still ahead: installed early, or a clock is wrong',
  run: ({ certificates, at }) =>
    certificates
      .filter((c) => Date.parse(c.summary.notBefore) > at.getTime())
      .map((c) => ({ message: `not valid until ${c.summary.notBefore} (${distance(at.getTime(), Date.parse(c.summary.notBefore))})`, location: c.location, sha256: c.summary.sha256 })),
};
