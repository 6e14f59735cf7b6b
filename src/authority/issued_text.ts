import { safe } from '../text/escape.js';
import type { IssuedCertificate } from './issuance_record.js';

/** The issuance record for people: one block per certificate, revoked ones marked. */
export function renderIssuedRecord(certificates: readonly IssuedCertificate[]): string {
  if (certificates.length === 0) return 'no certificates in the issuance record\n';
  return certificates
    .map((c) => {
      const status = c.revoked ? `REVOKED ${c.revoked.at} (${c.revoked.reason})` : 'valid';
      return safe`serial ${c.serial}  ${status}\n  subject:  ${c.subject}\n  names:    ${c.names.join(', ') || '-'}\n  valid:    ${c.notBefore} to ${c.notAfter}\n  sha256:   ${c.sha256}\n  issued:   ${c.at} by ${c.by} (profile ${c.profile})\n`;
    })
    .join('');
}
