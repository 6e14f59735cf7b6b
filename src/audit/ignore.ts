import { InvalidArgumentError } from '../errors.js';
import type { CheckId, Finding } from './model.js';

/** `--ignore <check>` silences a check; `--ignore <check>:<sha256>` only for one certificate. */
export interface IgnoreRule {
  check: CheckId;
  sha256?: string;
}

export function parseIgnoreRule(spec: string, known: readonly CheckId[]): IgnoreRule {
  const colon = spec.indexOf(':');
  const check = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  if (!known.includes(check as CheckId)) throw new InvalidArgumentError(`--ignore "${spec}": no check "${check}" (checks: ${known.join(', ')})`);
  if (colon < 0) return { check: check as CheckId };
  // fingerprints are pasted from openssl and keytool too: AB:CD:... is the same as abcd...
  const sha256 = spec.slice(colon + 1).replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new InvalidArgumentError(`--ignore "${spec}": the fingerprint must be a SHA-256 (64 hex digits)`);
  return { check: check as CheckId, sha256 };
}

export function isIgnored(finding: Finding, rules: readonly IgnoreRule[]): boolean {
  return rules.some((r) => r.check === finding.check && (r.sha256 === undefined || r.sha256 === finding.sha256));
}
