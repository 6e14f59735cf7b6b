import { describe, expect, it } from 'vitest';
import { REVOCATION_REASONS, reasonProblem, reasonUpdates, type RevocationReason } from '../../src/authority/issuance_record.js';

/**
 * The whole reason x certificate-kind table (RFC 5280 5.3.1, the root programs): which reason may
 * be given for which certificate, and which revocation may later change to which reason.
 */
describe('revocation reasons by certificate kind', () => {
  it('every reason fits a CA certificate; every one but cACompromise an end-entity certificate', () => {
    for (const reason of REVOCATION_REASONS) {
      expect(reasonProblem(reason, 'ca'), reason).toBeUndefined();
      expect(reasonProblem(reason, 'end-entity') === undefined, reason).toBe(reason !== 'cACompromise');
    }
  });

  it('updates: a hold to anything that fits, anything to keyCompromise but cACompromise, a CA\'s anything to cACompromise; nothing else', () => {
    const allowed = (kind: 'ca' | 'end-entity'): string[] =>
      REVOCATION_REASONS.flatMap((from) => REVOCATION_REASONS.filter((to) => reasonUpdates(from, to, kind)).map((to) => `${from}->${to}`));
    const others = (except: RevocationReason[]): RevocationReason[] => REVOCATION_REASONS.filter((r) => !except.includes(r));
    const endEntity = [
      ...others(['keyCompromise', 'cACompromise']).map((from) => `${from}->keyCompromise`),
      ...others(['certificateHold', 'keyCompromise', 'cACompromise']).map((to) => `certificateHold->${to}`),
    ];
    expect(allowed('end-entity').sort()).toEqual([...new Set(endEntity)].sort());
    const ca = [
      ...endEntity,
      ...others(['cACompromise']).map((from) => `${from}->cACompromise`),
    ];
    expect(allowed('ca').sort()).toEqual([...new Set(ca)].sort());
    expect(reasonUpdates('cACompromise', 'keyCompromise', 'ca')).toBe(false);
    expect(reasonUpdates('keyCompromise', 'cACompromise', 'ca')).toBe(true);
    expect(reasonUpdates('keyCompromise', 'cACompromise', 'end-entity')).toBe(false);
  });
});
