import { escapeText } from '../../text/escape.js';
import { locationText } from '../certificates.js';
import type { Finding } from '../model.js';
import type { AuditReport } from '../run_audit.js';
import { summaryLine } from './summary.js';

const HEADERS = ['STATUS', 'DAYS', 'NOT AFTER', 'LOCATION', 'SUBJECT', 'ISSUER', 'SAN', 'SHA-256'];

/**
 * The audit for people: a table of every certificate sorted by days left, the findings worst
 * first, and the one-line summary a monitoring system shows (last, so `tail -1` gets it).
 */
export function renderAuditText(report: AuditReport): string {
  const rows = report.certificates.map((c) => [
    c.status,
    String(c.daysLeft),
    c.summary.notAfter.replace(/\.000Z$/, 'Z'),
    locationText(c.location),
    c.summary.subject || '-',
    c.summary.issuer || '-',
    c.summary.san.join(',') || '-',
    c.summary.sha256,
  ]);
  let out = '';
  if (rows.length > 0) out += table([HEADERS, ...rows]);
  const notes = report.findings;
  if (notes.length > 0) {
    out += `${rows.length > 0 ? '\n' : ''}findings:\n`;
    for (const f of notes) out += `  ${findingLine(f)}\n`;
  }
  return `${out}${out === '' ? '' : '\n'}${summaryLine(report)}\n`;
}

export function findingLine(f: Finding): string {
  const where = f.location ? locationText(f.location) : (f.source ?? '');
  return `${f.severity.padEnd(8)} ${f.check.padEnd(19)} ${escapeText(where)}: ${escapeText(f.message)}${f.code ? ` (${f.code})` : ''}`;
}

function table(rows: string[][]): string {
  rows = rows.map((r) => r.map(escapeText));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd() + '\n').join('');
}
