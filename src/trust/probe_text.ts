import { safe } from '../text/escape.js';
import { isIP } from 'node:net';
import type { ProbeResult } from './probe.js';

/** The presented chain, the client certificate if one was sent, and the verdict, for people. */
export function renderProbe(result: ProbeResult): string {
  const { host, port } = result.target;
  const lines: string[] = [];
  lines.push(result.handshake ? `connected to ${host}:${port} (${result.protocol}, ${result.cipher})` : `no TLS session with ${host}:${port}`);
  if (result.chain.length > 0) lines.push('presented chain:');
  result.chain.forEach((c, i) => {
    lines.push(safe`  [${i}] subject:  ${c.subject}`, safe`      issuer:   ${c.issuer}`);
    if (c.san.length > 0) lines.push(safe`      san:      ${c.san.join(', ')}`);
    lines.push(`      notAfter: ${c.notAfter}`, `      sha256:   ${c.sha256}`);
  });
  const client = result.clientCertificate;
  if (client) lines.push(safe`client certificate: ${client.subject} (sha256 ${client.sha256}): ${client.accepted ? 'accepted' : client.sent ? 'rejected' : 'not sent'}`);
  if (result.stapled) lines.push('stapled OCSP response: yes');
  for (const r of result.revocation ?? []) lines.push(safe`revocation: ${r.subject}: ${r.status}${r.detail ? ` (${r.detail})` : ''}`);
  const checked = `${isIP(result.hostname) ? 'IP address' : 'host name'} ${result.hostname}`;
  lines.push(result.ok ? `verdict: PASS (chain trusted, ${checked})` : safe`verdict: FAIL: ${result.reason} (${result.code})`);
  return `${lines.join('\n')}\n`;
}
