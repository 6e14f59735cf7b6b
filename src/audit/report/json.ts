import type { CertificateLocation, CheckId, Severity } from '../model.js';
import type { AuditReport } from '../run_audit.js';
import { auditCounts, type AuditCounts } from './summary.js';

/** The JSON report, version 1: fields are only ever added within a version. */
export interface AuditJson {
  version: 1;
  /** ISO 8601: the time the audit judged at. */
  at: string;
  status: Severity;
  exitCode: number;
  thresholds: { warnSeconds: number; critSeconds: number };
  summary: AuditCounts;
  certificates: {
    location: CertificateLocation;
    subject: string;
    issuer: string;
    serial: string;
    san: string[];
    notBefore: string;
    notAfter: string;
    daysLeft: number;
    sha256: string;
    status: Severity;
    checks: string[];
  }[];
  findings: { check: CheckId; severity: Severity; message: string; location?: CertificateLocation; source?: string; sha256?: string; code?: string }[];
  sources: { kind: 'file' | 'endpoint'; source: string; format?: string; integrityChecked?: boolean; error?: { code: string; message: string } }[];
}

export function auditJson(report: AuditReport): AuditJson {
  return {
    version: 1,
    at: report.at.toISOString(),
    status: report.status,
    exitCode: report.exitCode,
    thresholds: { warnSeconds: report.warnMs / 1000, critSeconds: report.critMs / 1000 },
    summary: auditCounts(report),
    certificates: report.certificates.map((c) => ({ location: c.location, ...c.summary, daysLeft: c.daysLeft, status: c.status, checks: c.checks })),
    findings: report.findings.map((f) => ({
      check: f.check,
      severity: f.severity,
      message: f.message,
      ...(f.location ? { location: f.location } : {}),
      ...(f.source === undefined ? {} : { source: f.source }),
      ...(f.sha256 === undefined ? {} : { sha256: f.sha256 }),
      ...(f.code === undefined ? {} : { code: f.code }),
    })),
    sources: report.sources.map((s) => ({
      kind: s.kind,
      source: s.source,
      ...(s.store ? { format: s.store.format, integrityChecked: s.store.integrityChecked } : {}),
      ...(s.error ? { error: s.error } : {}),
    })),
  };
}

export function renderAuditJson(report: AuditReport): string {
  return `${JSON.stringify(auditJson(report), null, 2)}\n`;
}
