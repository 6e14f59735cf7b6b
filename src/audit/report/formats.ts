import { InvalidArgumentError } from '../../errors.js';
import type { AuditReport } from '../run_audit.js';
import { renderAuditJson } from './json.js';
import { renderAuditNagios } from './nagios.js';
import { renderAuditPrometheus } from './prometheus.js';
import { renderAuditText } from './text.js';

export type AuditFormat = 'text' | 'json' | 'prometheus' | 'nagios';

const RENDERERS: Readonly<Record<AuditFormat, (report: AuditReport) => string>> = { text: renderAuditText, json: renderAuditJson, prometheus: (r) => renderAuditPrometheus(r), nagios: renderAuditNagios };

/** The report formats, in the order messages list them. */
export const AUDIT_FORMATS = Object.keys(RENDERERS) as readonly AuditFormat[];

/** The renderer of the report format named, or ERR_INVALID_ARGUMENT (worded as `hapki audit --format`). */
export function auditRenderer(format: string): (report: AuditReport) => string {
  const render = Object.hasOwn(RENDERERS, format) ? RENDERERS[format as AuditFormat] : undefined;
  if (!render) throw new InvalidArgumentError(`--format must be ${AUDIT_FORMATS.join(', ')}, not "${format}"`);
  return render;
}
