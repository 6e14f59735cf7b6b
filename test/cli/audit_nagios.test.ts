import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hapki-audit-nagios-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { CAPASS: 'ca-password-1' };
const store = join(dir, 'certs', 'gw.p12');
const NAGIOS_LINE = /^HAPKI (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+ \| [^\n]+\n/;

/** A certificate ending in `days`, in certs/gw.p12 (the old file kept as gw.p12.bak when replaced). */
async function issue(days: number, force: boolean): Promise<void> {
  const r = await hapki(['ca', 'init', '--subject', 'CN=Gateway CA', '--kty', 'ec', '--days', String(days), '--out', store, '--outpass', 'env:CAPASS', ...(force ? ['--force'] : [])], { env });
  expect(r.code, r.stderr).toBe(0);
}
const audit = (...args: string[]) => hapki(['audit', join(dir, 'certs'), '--storepass', 'env:CAPASS', '--format', 'nagios', ...args], { env });

describe('audit --format nagios, and what the audit leaves out', () => {
  beforeAll(async () => {
    mkdirSync(join(dir, 'certs'));
    await issue(3, false);
  });

  it('line 1 is the status and the perfdata, with days_left and warn/crit thresholds in days; exit 2 for CRITICAL', async () => {
    const r = await audit();
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(NAGIOS_LINE);
    const [status, perf] = r.stdout.split('\n')[0]!.split(' | ');
    expect(status).toMatch(/^HAPKI CRITICAL - 1 certificate, 1 critical, 0 warnings, 0 unknown, first to expire: CN=Gateway CA in [23] days$/);
    expect(perf).toMatch(/^days_left_min=[23];30:;7: certificates=1 critical=1 warning=0 unknown=0 'days_left [^']*gw\.p12#ca\[0\]'=[23];30:;7:$/);
    expect(r.stdout.split('\n')[1]).toMatch(/^CRITICAL/);
  });

  it('the thresholds in the perfdata follow --warn and --crit', async () => {
    const r = await audit('--warn', '2d', '--crit', '1d');
    expect(r.stdout.split('\n')[0]).toMatch(/days_left_min=[23];2:;1:/);
  });

  it("after a renewal the old certificate in <file>.bak is not audited, nor hapki's temp and lock files", async () => {
    await issue(3650, true);
    writeFileSync(join(dir, 'certs', '.gw.p12.hapki-lock'), 'host 1 0\n');
    copyFileSync(join(dir, 'certs', 'gw.p12.bak'), join(dir, 'certs', '.gw.p12.0123456789ab.tmp'));
    copyFileSync(join(dir, 'certs', 'gw.p12.bak'), join(dir, 'certs', '.gw.p12.hapki-0123456789abcdef.tmp'));
    const r = await audit();
    expect(r.stdout.split('\n')[0]).toMatch(/^HAPKI OK - 1 certificate, 0 critical, 0 warnings, 0 unknown, first to expire: CN=Gateway CA in 364\d days \| /);
    expect(r.code).toBe(0);
  });

  it('--exclude leaves out what it matches, by name or by path; exclude: in the configuration too', async () => {
    mkdirSync(join(dir, 'certs', 'archive'));
    copyFileSync(join(dir, 'certs', 'gw.p12.bak'), join(dir, 'certs', 'archive', 'old.p12'));
    expect((await audit()).code).toBe(2);
    expect((await audit('--exclude', 'archive')).code).toBe(0);
    expect((await audit('--exclude', `${join(dir, 'certs', 'archive')}/**`)).code).toBe(0);
    // everything excluded: nothing was audited, which a monitoring check must not call OK
    const none = await audit('--exclude', '*.p12');
    expect(none.stdout).toMatch(/^HAPKI UNKNOWN - 0 certificates, 0 critical, 0 warnings, 1 unknown \|/);
    expect(none.stdout).toContain('nothing-found');
    expect(none.code).toBe(3);
    expect((await audit('--exclude', '*.p12', '--ignore', 'nothing-found')).code).toBe(0);
    writeFileSync(join(dir, 'audit.yaml'), 'exclude:\n  - certs/archive/**\n');
    expect((await audit('--config', join(dir, 'audit.yaml'))).code).toBe(0);
  });
});
