import { describe, expect, it } from 'vitest';
import { oid, sequence, setOf, utf8String } from '../../src/asn1/der_writer.js';
import type { PathCertificate } from '../../src/path/path_certificate.js';
import { ANY_POLICY, processPolicies, type PolicyOptions } from '../../src/trust/policy_tree.js';

/** The RFC 5280 6.1 policy tree over hand-made paths (anchor's child first, end entity last). */
const name = (cn: string): Uint8Array => sequence(setOf(sequence(oid('2.5.4.3'), utf8String(cn))));
const P = (n: number): string => `1.3.6.1.4.1.99999.1.${n}`;
let serial = 0;
function cert(fields: Partial<PathCertificate>): PathCertificate {
  const n = ++serial;
  return { issuer: name(`ca${n - 1}`), subject: name(`ca${n}`), ...fields } as PathCertificate;
}
const run = (path: PathCertificate[], options: PolicyOptions = {}) => processPolicies(path, options, () => 'x');

describe('certificate policy processing', () => {
  it('reports the policies the path is valid for', () => {
    expect(run([cert({ policies: [P(1), P(2)] }), cert({ policies: [P(1)] })])).toEqual({ policies: [P(1)] });
    expect(run([cert({ policies: [ANY_POLICY] }), cert({ policies: [P(3)] })])).toEqual({ policies: [P(3)] });
  });

  it('a path without policies is valid unless an explicit policy is required', () => {
    expect(run([cert({}), cert({})])).toEqual({ policies: [] });
    expect(run([cert({}), cert({})], { requireExplicitPolicy: true })).toMatchObject({ problem: { code: 'ERR_POLICY' } });
    expect(run([cert({ policyConstraints: { requireExplicitPolicy: 0 } }), cert({})])).toMatchObject({ problem: { code: 'ERR_POLICY' } });
  });

  it('the initial policy set narrows the result; outside it, an explicit policy fails', () => {
    const path = [cert({ policies: [P(1), P(2)] }), cert({ policies: [P(1), P(2)] })];
    expect(run(path, { initialPolicySet: [P(2)] })).toEqual({ policies: [P(2)] });
    expect(run(path, { initialPolicySet: [P(5)], requireExplicitPolicy: true })).toMatchObject({ problem: { code: 'ERR_POLICY' } });
  });

  it('follows a policy mapping unless mapping is inhibited', () => {
    const path = () => [cert({ policies: [P(1)], policyMappings: [{ issuer: P(1), subject: P(2) }] }), cert({ policies: [P(2)] })];
    expect(run(path(), { initialPolicySet: [P(1)], requireExplicitPolicy: true })).toEqual({ policies: [P(2)] });
    expect(run(path(), { initialPolicySet: [P(1)], requireExplicitPolicy: true, inhibitPolicyMapping: true })).toMatchObject({ problem: { code: 'ERR_POLICY' } });
  });

  it('refuses a mapping of anyPolicy', () => {
    const path = [cert({ policies: [P(1)], policyMappings: [{ issuer: ANY_POLICY, subject: P(2) }] }), cert({ policies: [P(2)] })];
    expect(run(path)).toMatchObject({ problem: { code: 'ERR_POLICY', reason: expect.stringMatching(/maps anyPolicy/) } });
  });

  it('anyPolicy is inhibited on request', () => {
    const path = () => [cert({ policies: [ANY_POLICY] }), cert({ policies: [ANY_POLICY] })];
    expect(run(path(), { requireExplicitPolicy: true })).toEqual({ policies: [ANY_POLICY] });
    expect(run(path(), { requireExplicitPolicy: true, inhibitAnyPolicy: true })).toMatchObject({ problem: { code: 'ERR_POLICY' } });
  });

  it('bounds a tree built to grow exponentially', () => {
    const ten = Array.from({ length: 10 }, (_, i) => P(i));
    const mappings = ten.flatMap((a) => ten.map((b) => ({ issuer: a, subject: b })));
    const path = [...Array.from({ length: 6 }, () => cert({ policies: ten, policyMappings: mappings })), cert({ policies: ten })];
    expect(run(path)).toMatchObject({ problem: { code: 'ERR_POLICY', reason: expect.stringMatching(/beyond 1000 nodes/) } });
  });
});
