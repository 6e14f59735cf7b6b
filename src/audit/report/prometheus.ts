import { AUDIT_CHECKS } from '../rules/index.js';
import { SEVERITY_EXIT_CODES } from '../model.js';
import type { AuditReport } from '../run_audit.js';

/**
 * The text exposition format (version 0.0.4) for node_exporter's textfile collector. Label
 * values are escaped as the format requires (backslash, double quote, line feed), since subjects
 * and paths may hold any of them. Every check has a findings series, zero included, so that an
 * alert on a check that has never fired still has a series to watch.
 */
export function renderAuditPrometheus(report: AuditReport, now: Date = new Date()): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, samples: readonly [Record<string, string>, number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    const seen = new Set<string>();
    for (const [labels, value] of samples) {
      // one series per label set: a duplicate would make the whole file unreadable to Prometheus
      const text = labelText(labels);
      if (seen.has(text)) continue;
      seen.add(text);
      lines.push(`${name}${text} ${formatValue(value)}`);
    }
  };
  const certLabels = report.certificates.map((c) => ({
    path: c.location.source,
    alias: c.location.alias ?? '',
    position: String(c.location.position),
    subject: c.summary.subject,
    serial: c.summary.serial,
    sha256: c.summary.sha256,
  }));
  metric('hapki_certificate_not_after_seconds', 'notAfter of each certificate found, in Unix seconds.', report.certificates.map((c, i) => [certLabels[i]!, Date.parse(c.summary.notAfter) / 1000]));
  // "days left" in seconds: promtool's lint refuses any metric named in days (base units only)
  metric(
    'hapki_certificate_seconds_left',
    'Seconds from the audit to notAfter (negative once expired); divide by 86400 for days.',
    report.certificates.map((c, i) => [certLabels[i]!, Math.round((Date.parse(c.summary.notAfter) - report.at.getTime()) / 1000)]),
  );
  metric(
    'hapki_audit_findings',
    'Findings of each check in the last audit, ignored ones not counted.',
    AUDIT_CHECKS.map((check) => [{ check: check.id, severity: check.severity }, report.findings.filter((f) => f.check === check.id).length]),
  );
  metric('hapki_audit_status', 'Worst finding of the last audit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', [[{}, SEVERITY_EXIT_CODES[report.status]]]);
  metric('hapki_audit_last_run_seconds', 'When the last audit ran, in Unix seconds.', [[{}, Math.floor(now.getTime() / 1000)]]);
  return `${lines.join('\n')}\n`;
}

function labelText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
}
