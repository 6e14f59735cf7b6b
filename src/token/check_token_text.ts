import { safe } from '../text/escape.js';
import { short, type TokenCheckReport } from './check_token.js';

/**
 * The table `hapki token check` prints: one row per instance with its token certificate and
 * its end of validity, then what is wrong where, and which copy expires first.
 */
export function renderTokenCheck(report: TokenCheckReport): string {
  const rows = report.instances.map((r) => [r.name, r.status === 'ok' && r.problems.length > 0 ? 'drift' : r.status, r.state?.key ? short(r.state.key.sha256) : '-', r.state?.key?.notAfter ?? '-']);
  const header = ['INSTANCE', 'STATUS', 'SHA-256', 'NOT AFTER'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`;
  let out = safe`token "${report.alias}": ${report.ok ? 'identical on' : 'DRIFT across'} ${report.instances.length} instance${report.instances.length === 1 ? '' : 's'}`;
  out += report.majority ? safe` (majority ${short(report.majority.sha256)}, ${report.majority.subject})\n` : '\n';
  out += line(header) + rows.map(line).join('');
  for (const r of report.instances) for (const p of r.problems) out += safe`${r.name}: ${p}\n`;
  const unverified = report.instances.filter((r) => r.state?.key && r.state.key.keyMatches === undefined).map((r) => r.name);
  if (unverified.length > 0) out += safe`key not opened, so not checked against its certificate (give the store password, or --keypass-for): ${unverified.join(', ')}\n`;
  const unchecked = report.instances.filter((r) => r.integrityChecked === false).map((r) => r.name);
  if (unchecked.length > 0) out += safe`integrity unchecked (no password given): ${unchecked.join(', ')}\n`;
  if (report.firstToExpire) out += safe`first to expire: ${report.firstToExpire.name} (${short(report.firstToExpire.sha256)}) on ${report.firstToExpire.notAfter}\n`;
  return out;
}
