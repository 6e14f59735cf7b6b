import { certificatePublicKey } from '../../cert/describe.js';
import { describePublicKey, type KeyDescription } from '../../crypto/key_info.js';
import type { AuditCheck, CheckHit } from '../model.js';

/** Below these sizes a key is within reach of a well-funded attacker (NIST SP 800-131A). */
const MIN_BITS: Readonly<Record<string, number>> = { RSA: 2048, 'RSASSA-PSS': 2048, DSA: 2048, EC: 256 };

export const weakKeyCheck: AuditCheck = {
  id: 'weak-key',
  severity: 'WARNING',
  description: 'the certificate\'s public key is too small: RSA or DSA under 2048 bits, EC under 256',
  run: ({ certificates }) => {
    const hits: CheckHit[] = [];
    for (const c of certificates) {
      const key = keyOf(c.der);
      const min = key && MIN_BITS[key.algorithm];
      if (key?.bits !== undefined && min !== undefined && key.bits < min) {
        hits.push({ message: `${key.algorithm}${key.curve ? ` ${key.curve}` : ''} key of ${key.bits} bits (at least ${min} expected)`, location: c.location, sha256: c.summary.sha256 });
      }
    }
    return hits;
  },
};

function keyOf(der: Uint8Array): KeyDescription | undefined {
  try {
    return describePublicKey(certificatePublicKey(der));
  } catch {
    // an unknown key algorithm is not a weak one
    return undefined;
  }
}
