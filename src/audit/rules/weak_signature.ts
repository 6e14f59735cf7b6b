import { weakSignatureOf } from '../../cert/certificate_signature.js';
import type { AuditCheck, CheckHit } from '../model.js';

export const weakSignatureCheck: AuditCheck = {
  id: 'weak-signature',
  severity: 'WARNING',
  description: 'the certificate is signed with MD5 or SHA-1 (read from its signatureAlgorithm)',
  run: ({ certificates }) => {
    const hits: CheckHit[] = [];
    for (const c of certificates) {
      const weak = weakSignatureName(c.der);
      if (weak) hits.push({ message: `signed with ${weak}`, location: c.location, sha256: c.summary.sha256 });
    }
    return hits;
  },
};

/**
 * The name of the certificate's signature algorithm when its hash is MD2, MD4, MD5 or SHA-1, whose
 * collisions let a forger reuse a CA's signature. Classified as path validation classifies it, so
 * what the audit flags is what `verify` refuses (SHA-1 unless --allow-sha1, MD5 always).
 */
export function weakSignatureName(der: Uint8Array): string | undefined {
  return weakSignatureOf(der)?.name;
}
