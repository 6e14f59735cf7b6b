import { describe, expect, it } from 'vitest';
import { auditJson } from '../../src/audit/report/json.js';
import { escapeLabelValue, renderAuditPrometheus } from '../../src/audit/report/prometheus.js';
import { renderAuditText } from '../../src/audit/report/text.js';
import type { AuditReport } from '../../src/audit/run_audit.js';

const DAY = 86_400_000;
const at = new Date('2026-01-01T00:00:00Z');

const report: AuditReport = {
  at,
  warnMs: 30 * DAY,
  critMs: 7 * DAY,
  status: 'CRITICAL',
  exitCode: 2,
  ignored: 1,
  certificates: [
    {
      location: { kind: 'file', source: '/etc/gw/a "b".p12', format: 'PKCS12', alias: 'node1', entryType: 'private-key', position: 0 },
      summary: { subject: 'CN=node1\\, x', issuer: 'CN=CA', serial: '0a', notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2026-01-04T00:00:00.000Z', sha256: 'aa'.repeat(32), san: ['DNS:node1'] },
      daysLeft: 3,
      der: new Uint8Array(),
      status: 'CRITICAL',
      checks: ['expires-critical'],
    },
    {
      location: { kind: 'endpoint', source: 'lb:8443', position: 1 },
      summary: { subject: 'CN=CA', issuer: 'CN=CA', serial: '01', notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', sha256: 'bb'.repeat(32), san: [] },
      daysLeft: 365,
      der: new Uint8Array(),
      status: 'OK',
      checks: [],
    },
  ],
  findings: [
    { check: 'expires-critical', severity: 'CRITICAL', message: 'expires in 3 days (2026-01-04T00:00:00.000Z)', location: { kind: 'file', source: '/etc/gw/a "b".p12', format: 'PKCS12', alias: 'node1', entryType: 'private-key', position: 0 }, sha256: 'aa'.repeat(32) },
    { check: 'unreadable', severity: 'UNKNOWN', message: 'keystore password was incorrect', source: '/etc/gw/c.p12', code: 'ERR_KEYSTORE_PASSWORD' },
  ],
  sources: [],
};

describe('audit reports', () => {
  it('text: a table by days left, the findings, the summary line', () => {
    expect(renderAuditText(report)).toBe(
      [
        'STATUS    DAYS  NOT AFTER             LOCATION                    SUBJECT       ISSUER  SAN        SHA-256',
        `CRITICAL  3     2026-01-04T00:00:00Z  /etc/gw/a "b".p12#node1[0]  CN=node1\\, x  CN=CA   DNS:node1  ${'aa'.repeat(32)}`,
        `OK        365   2027-01-01T00:00:00Z  lb:8443[1]                  CN=CA         CN=CA   -          ${'bb'.repeat(32)}`,
        '',
        'findings:',
        '  CRITICAL expires-critical    /etc/gw/a "b".p12#node1[0]: expires in 3 days (2026-01-04T00:00:00.000Z)',
        '  UNKNOWN  unreadable          /etc/gw/c.p12: keystore password was incorrect (ERR_KEYSTORE_PASSWORD)',
        '',
        'hapki audit: CRITICAL - 2 certificates, 1 critical, 0 warnings, 1 unknown, 1 ignored',
        '',
      ].join('\n'),
    );
  });

  it('json: version 1 with the documented fields', () => {
    const json = auditJson(report);
    expect(json).toMatchObject({ version: 1, at: '2026-01-01T00:00:00.000Z', status: 'CRITICAL', exitCode: 2, thresholds: { warnSeconds: 2_592_000, critSeconds: 604_800 } });
    expect(json.summary).toEqual({ certificates: 2, critical: 1, warning: 0, unknown: 1, info: 0, ignored: 1 });
    expect(json.certificates[1]).toEqual({
      location: { kind: 'endpoint', source: 'lb:8443', position: 1 },
      subject: 'CN=CA', issuer: 'CN=CA', serial: '01', san: [], notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', sha256: 'bb'.repeat(32), daysLeft: 365, status: 'OK', checks: [],
    });
    expect(json.findings[1]).toEqual({ check: 'unreadable', severity: 'UNKNOWN', message: 'keystore password was incorrect', source: '/etc/gw/c.p12', code: 'ERR_KEYSTORE_PASSWORD' });
  });

  it('prometheus: escaped labels, a findings series per check, status and last run', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = renderAuditPrometheus(report, new Date('2026-01-01T00:00:05Z'));
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '# HELP hapki_certificate_not_after_seconds notAfter of each certificate found, in Unix seconds.',
      '# TYPE hapki_certificate_not_after_seconds gauge',
      `hapki_certificate_not_after_seconds{path="/etc/gw/a \\"b\\".p12",alias="node1",position="0",subject="CN=node1\\\\, x",serial="0a",sha256="${'aa'.repeat(32)}"} 1767484800`,
      `hapki_certificate_not_after_seconds{path="lb:8443",alias="",position="1",subject="CN=CA",serial="01",sha256="${'bb'.repeat(32)}"} 1798761600`,
    ]);
    expect(text).toContain(`\nhapki_certificate_seconds_left{path="/etc/gw/a \\"b\\".p12",alias="node1",position="0",subject="CN=node1\\\\, x",serial="0a",sha256="${'aa'.repeat(32)}"} 259200\n`);
    expect(lines.filter((l) => l.startsWith('hapki_audit_findings{'))).toHaveLength(16);
    expect(text).toContain('\nhapki_audit_findings{check="expires-critical",severity="CRITICAL"} 1\n');
    expect(text).toContain('\nhapki_audit_findings{check="nothing-found",severity="UNKNOWN"} 0\n');
    expect(text).toContain('\nhapki_audit_findings{check="integrity-unchecked",severity="OK"} 0\n');
    expect(text.endsWith('# TYPE hapki_audit_status gauge\nhapki_audit_status 2\n# HELP hapki_audit_last_run_seconds When the last audit ran, in Unix seconds.\n# TYPE hapki_audit_last_run_seconds gauge\nhapki_audit_last_run_seconds 1767225605\n')).toBe(true);
  });
});
