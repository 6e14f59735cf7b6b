import { escapeText, safe } from '../../text/escape.js';
import type { CertificateSummary } from '../../cert/describe.js';
import type { EntrySummary, KeystoreSummary } from '../../keystore/summary.js';

/** The text `hapki list` prints: one block per entry, one indented block per certificate. */
export function renderKeystoreText(summary: KeystoreSummary): string {
  return renderEntriesText(summary.format, summary.entries.length, summary.entries);
}

/**
 * The same text from entries summarised one at a time (summarizeEntry): a store of thousands
 * of entries keeps one string per entry, not every entry's summary and every line at once.
 */
export function renderEntriesText(format: KeystoreSummary['format'], count: number, entries: Iterable<EntrySummary>): string {
  return [...renderEntriesTextChunks(format, count, entries)].join('');
}

/**
 * renderEntriesText in pieces of about 64 KiB, each ready to write as soon as its entries are
 * summarised: a listing of a large store is never held whole.
 */
export function* renderEntriesTextChunks(format: KeystoreSummary['format'], count: number, entries: Iterable<EntrySummary>): Generator<string> {
  let chunk = escapeText(`Keystore format: ${format}, ${count} ${count === 1 ? 'entry' : 'entries'}`);
  for (const entry of entries) {
    chunk += `\n${renderEntryText(entry)}`;
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}\n`;
}

/** One entry's block, with the empty line before it; every field may come from the file: no control character reaches the terminal. */
function renderEntryText(entry: EntrySummary): string {
  const lines = ['', entryHeading(entry)];
  entry.chain.forEach((cert, i) => lines.push(...certificateLines(cert, entry.chain.length > 1 ? `[${i}] ` : '')));
  if (entry.trustedFor) lines.push(safe`  Trusted for: ${entry.trustedFor.length === 0 ? 'no use' : entry.trustedFor.join(', ')} only (its file's openssl trust settings)`);
  return lines.map(escapeText).join('\n');
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
