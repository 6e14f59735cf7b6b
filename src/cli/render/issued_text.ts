import { safe } from '../../text/escape.js';
import { describeCertificate } from '../../cert/describe.js';

/** The short summary `hapki sign` and `hapki ca init` print of a certificate they made. */
export function renderIssued(der: Uint8Array): string {
  const s = describeCertificate(der);
  const san = s.san.length > 0 ? safe`san:      ${s.san.join(', ')}\n` : '';
  return safe`subject:  ${s.subject}\n` + san + safe`serial:   ${s.serial}\nvalid:    ${s.notBefore} to ${s.notAfter}\nsha256:   ${s.sha256}\n`;
}
