import { escapeText, safe } from '../../text/escape.js';
import type { CertificateSummary } from '../../cert/describe.js';
import type { EntrySummary, KeystoreSummary } from '../../keystore/summary.js';

/** The text `hapki list` prints: one block per entry, one indented block per certificate. */
export function renderKeystoreText(summary: KeystoreSummary): string {
  const count = summary.entries.length;
  const lines = [`Keystore format: ${summary.format}, ${count} ${count === 1 ? 'entry' : 'entries'}`];
  for (const entry of summary.entries) {
    lines.push('', entryHeading(entry));
    entry.chain.forEach((cert, i) => lines.push(...certificateLines(cert, entry.chain.length > 1 ? `[${i}] ` : '')));
  }
  // every field may come from the file: no control character reaches the terminal
  return `${lines.map(escapeText).join('\n')}\n`;
}

function entryHeading(entry: EntrySummary): string {
  const key = entry.algorithm ? `, ${entry.algorithm}${entry.bits ? ` ${entry.bits}` : ''}` : '';
  const chain = entry.type === 'private-key' ? `, chain length ${entry.chain.length}` : '';
  return `${escapeText(entry.alias)}: ${entry.type}${key}${chain}`;
}

function certificateLines(cert: CertificateSummary, label: string): string[] {
  const pad = ' '.repeat(label.length);
  return [
    safe`  ${label}Subject: ${cert.subject}`,
    safe`  ${pad}Issuer:  ${cert.issuer}`,
    safe`  ${pad}Serial:  ${cert.serial}`,
    safe`  ${pad}Valid:   ${cert.notBefore} to ${cert.notAfter}`,
    ...(cert.san.length > 0 ? [safe`  ${pad}SAN:     ${cert.san.join(', ')}`] : []),
    safe`  ${pad}SHA-256: ${cert.sha256}`,
  ];
}
