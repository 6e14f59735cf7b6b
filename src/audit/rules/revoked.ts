import { toHex } from '../../lib/bytes.js';
import type { Crl } from '../../revocation/crl_read.js';
import { namesMatch } from '../../trust/dn_match.js';
import { tryReadPathCertificate, type PathCertificate } from '../../trust/path_certificate.js';
import { SignatureChecker } from '../../trust/path_signature.js';
import type { AuditCheck, CheckHit } from '../model.js';

const REMOVE_FROM_CRL = 8;
const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '(7)', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

export const revokedCheck: AuditCheck = {
  id: 'revoked',
  severity: 'CRITICAL',
  description: 'the certificate is listed on a given CRL (--crl) signed by its issuer, a certificate found by the audit that also signed the certificate',
  run: ({ certificates, crls }) => {
    if (crls.length === 0) return [];
    // SHA-1 is accepted here: a CRL can only make a certificate look revoked, never good
    const signatures = new SignatureChecker({ allowSha1: true });
    const parsed = certificates.map((c) => ({ audited: c, cert: tryReadPathCertificate(c.der) }));
    const pool = parsed.flatMap((p) => (p.cert ? [p.cert] : []));
    const hits: CheckHit[] = [];
    for (const { audited, cert } of parsed) {
      if (!cert) continue;
      const found = revocationOf(cert, crls, pool, signatures);
      if (found) hits.push({ message: found, location: audited.location, sha256: audited.summary.sha256 });
    }
    return hits;
  },
};

/** Why `cert` is revoked by one of `crls`, or undefined: the CRL and the certificate must both verify under one issuer key from `pool`. */
function revocationOf(cert: PathCertificate, crls: readonly Crl[], pool: readonly PathCertificate[], signatures: SignatureChecker): string | undefined {
  const serial = toHex(cert.serial);
  for (const crl of crls) {
    if (crl.unusable || !namesMatch(crl.issuer, cert.issuer)) continue;
    const entry = crl.entries.get(serial)?.find((e) => !e.certificateIssuer || e.certificateIssuer.some((n) => n.type === 'dn' && namesMatch(n.value, cert.issuer)));
    if (!entry || entry.reason === REMOVE_FROM_CRL) continue;
    const issuer = pool.find((i) => namesMatch(i.subject, crl.issuer) && signatures.verify(crl, i.spki) === 'ok' && signatures.verify(cert, i.spki) === 'ok');
    if (!issuer) continue;
    const reason = REASONS[entry.reason ?? 0] ?? `reason ${entry.reason}`;
    return `revoked on ${entry.revokedAt.toISOString()} (${reason}) by the CRL of its issuer (number ${crl.crlNumber ?? 'none'})`;
  }
  return undefined;
}
