import { DAY_MS } from '../../lib/duration.js';
import { locationText } from '../certificates.js';
import type { AuditReport } from '../run_audit.js';
import { auditCounts } from './summary.js';
import { findingLine } from './text.js';

/** Beyond this many certificates, the performance data carries the minimum alone. */
export const NAGIOS_PERFDATA_CERTIFICATES = 100;

/**
 * The audit as a Nagios / Icinga / Naemon plugin reports it: line 1 is the service status and
 * its performance data (`HAPKI <STATUS> - <summary> | <perfdata>`), the details follow as long
 * output. `days_left` carries the warning and critical thresholds in days as ranges ("30:" alerts
 * below 30), so graphs and the monitoring system's own thresholds agree with hapki's.
 */
export function renderAuditNagios(report: AuditReport): string {
  const c = auditCounts(report);
  const warn = Math.floor(report.warnMs / DAY_MS);
  const crit = Math.floor(report.critMs / DAY_MS);
  const first = report.certificates[0];
  const parts = [`${c.certificates} certificate${c.certificates === 1 ? '' : 's'}`, `${c.critical} critical`, `${c.warning} warning${c.warning === 1 ? '' : 's'}`, `${c.unknown} unknown`];
  if (c.ignored > 0) parts.push(`${c.ignored} ignored`);
  if (first) parts.push(`first to expire: ${oneLine(first.summary.subject || first.summary.sha256.slice(0, 16))} in ${first.daysLeft} day${Math.abs(first.daysLeft) === 1 ? '' : 's'}`);
  const perf = [
    ...(first ? [`days_left_min=${first.daysLeft};${warn}:;${crit}:`] : []),
    `certificates=${c.certificates}`,
    `critical=${c.critical}`,
    `warning=${c.warning}`,
    `unknown=${c.unknown}`,
  ];
  if (report.certificates.length <= NAGIOS_PERFDATA_CERTIFICATES) {
    for (const cert of report.certificates) perf.push(`'days_left ${label(locationText(cert.location))}'=${cert.daysLeft};${warn}:;${crit}:`);
  }
  let out = `HAPKI ${report.status} - ${parts.join(', ')} | ${perf.join(' ')}\n`;
  for (const f of report.findings) out += `${oneLine(findingLine(f))}\n`;
  for (const cert of report.certificates) out += `${cert.status} ${cert.daysLeft}d ${oneLine(locationText(cert.location))} ${oneLine(cert.summary.subject || '-')} (not after ${cert.summary.notAfter})\n`;
  return out;
}

/** A perfdata label may hold anything but `=` and `'`; a `|` would end the plugin output's text. */
function label(text: string): string {
  return oneLine(text).replace(/['=|]/g, '_');
}

/** Nagios reads line 1 as the status: nothing may break it, nor a `|` start the perfdata early. */
function oneLine(text: string): string {
  return text.replace(/[\r\n|]+/g, ' ');
}
