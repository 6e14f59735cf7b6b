import { describeCertificate } from '../../cert/describe.js';

/** The short summary `hapki sign` and `hapki ca init` print of a certificate they made. */
export function renderIssued(der: Uint8Array): string {
  const s = describeCertificate(der);
  const san = s.san.length > 0 ? `san:      ${s.san.join(', ')}\n` : '';
  return `subject:  ${s.subject}\n${san}serial:   ${s.serial}\nvalid:    ${s.notBefore} to ${s.notAfter}\nsha256:   ${s.sha256}\n`;
}
