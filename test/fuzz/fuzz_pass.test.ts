import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../fuzz/run_fuzz.js';
import { TARGETS } from '../../fuzz/targets.js';

// A short, seeded (so deterministic) pass of `npm run fuzz` over every reader: a fixed number
// of structure-aware mutations each, about a minute in all. Longer runs are `npm run fuzz`.
const MUTATIONS: Readonly<Record<string, number>> = { pkcs12: 500, jks: 700, jceks: 700, bks: 500, pem: 400, der: 1000, certificate: 1000, csr: 600, cluster: 150, audit: 150, crl: 400, ocsp: 400, sign: 300, record: 300, 'ssh-config': 300, p7b: 400, cli: 80, plan: 60 };

describe('fuzz pass: no uncoded error, echoed input, slow input or memory growth', () => {
  for (const target of TARGETS) {
    it(`${target.name}: ${MUTATIONS[target.name]} mutations`, async () => {
      const report = await runFuzz(target, { seed: 20261201, count: MUTATIONS[target.name] ?? 200, slowMs: 5000 });
      expect(report.findings.map((f) => `${f.kind}: ${f.detail}`)).toEqual([]);
      expect(report.mutations).toBe(MUTATIONS[target.name]);
      // the pass reached past the outer checks: some inputs read, some were refused
      expect(Object.keys(report.outcomes).length).toBeGreaterThan(1);
    }, 120_000);
  }
});
