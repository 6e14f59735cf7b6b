import { safe } from '../text/escape.js';
import type { TrustCheckResult } from './trust_check.js';

/** One line per directed pair: "PASS master.p12 -> slave1.jks" or "FAIL ...: <reason> (<CODE>)". */
export function renderTrustCheck(result: TrustCheckResult): string {
  return result.pairs
    .map((p) => (p.valid ? safe`PASS ${p.truster} -> ${p.peer}\n` : safe`FAIL ${p.truster} -> ${p.peer}: ${p.reason} (${p.code})\n`))
    .join('');
}
