import type { AuditReport } from '../run_audit.js';

export interface AuditCounts {
  certificates: number;
  critical: number;
  warning: number;
  unknown: number;
  /** OK-level notes (integrity-unchecked). */
  info: number;
  ignored: number;
}

export function auditCounts(report: AuditReport): AuditCounts {
  const count = (severity: string): number => report.findings.filter((f) => f.severity === severity).length;
  return { certificates: report.certificates.length, critical: count('CRITICAL'), warning: count('WARNING'), unknown: count('UNKNOWN'), info: count('OK'), ignored: report.ignored };
}

/** "hapki audit: CRITICAL - 12 certificates, 2 critical, 1 warning, 1 unknown": the plugin's status line. */
export function summaryLine(report: AuditReport): string {
  const c = auditCounts(report);
  const parts = [`${c.certificates} certificate${c.certificates === 1 ? '' : 's'}`, `${c.critical} critical`, `${c.warning} warning${c.warning === 1 ? '' : 's'}`, `${c.unknown} unknown`];
  if (c.ignored > 0) parts.push(`${c.ignored} ignored`);
  return `hapki audit: ${report.status} - ${parts.join(', ')}`;
}
