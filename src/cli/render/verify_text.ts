import { describeCertificate } from '../../cert/describe.js';
import type { PathValidationResult } from '../../trust/validate_path.js';

/** What `hapki verify --json` prints: the verdict and the chain's subjects and fingerprints. */
export function renderVerifyJson(result: PathValidationResult): string {
  const { valid, code, reason, validPolicies, revocation } = result;
  const chain = result.chain.map((der) => describeCertificate(der)).map((c) => ({ subject: c.subject, sha256: c.sha256 }));
  return `${JSON.stringify({ valid, code, reason, chain, validPolicies, revocation }, null, 2)}\n`;
}

/** What `hapki verify` prints: OK with the chain (its policies when asked for, its revocation statuses), or FAIL with the reason. */
export function renderVerifyText(result: PathValidationResult, showPolicies: boolean): string {
  if (!result.valid) return `FAIL: ${result.reason} (${result.code})\n`;
  const chain = result.chain.map((der) => describeCertificate(der));
  let text = `OK: ${chain[0]!.subject} (chain: ${chain.map((c) => c.subject).join(' -> ')})\n`;
  if (showPolicies) text += `valid policies: ${result.validPolicies?.join(', ') || 'none'}\n`;
  for (const r of result.revocation ?? []) text += `revocation: ${r.subject}: ${r.status}${r.detail ? ` (${r.detail})` : ''}\n`;
  return text;
}
