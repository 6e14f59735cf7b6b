import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAuditConfigFile } from '../../src/audit/config_file.js';
import { AUDIT_FORMATS, auditRenderer } from '../../src/audit/report/formats.js';
import { renderAuditNagios } from '../../src/audit/report/nagios.js';

/** What `hapki audit` does with --config and --format before it audits is the library's. */
const dir = mkdtempSync(join(tmpdir(), 'hapki-audit-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readAuditConfigFile', () => {
  it('takes relative paths against the file\'s directory', async () => {
    const path = join(dir, 'audit.yaml');
    writeFileSync(path, 'paths:\n  - stores\nwarn: 20d\n', { mode: 0o600 });
    const { config, warning } = await readAuditConfigFile(path);
    expect(config.paths).toEqual([join(dir, 'stores')]);
    expect(warning).toBeUndefined();
  });
  it('warns when the file holds a password itself and others can read it', async () => {
    const path = join(dir, 'open.yaml');
    writeFileSync(path, 'storepass: pass:secret\n');
    chmodSync(path, 0o644);
    const { warning } = await readAuditConfigFile(path);
    expect(warning).toMatch(/^.*open\.yaml holds passwords itself \(pass:\) and /);
    expect(warning).not.toContain('secret\n');
    chmodSync(path, 0o600);
    expect((await readAuditConfigFile(path)).warning).toBeUndefined();
  });
  it('names the file in its errors', async () => {
    await expect(readAuditConfigFile(join(dir, 'absent.yaml'))).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
  });
});

describe('auditRenderer', () => {
  it('gives each format its renderer', () => {
    expect(AUDIT_FORMATS).toEqual(['text', 'json', 'prometheus', 'nagios']);
    expect(auditRenderer('nagios')).toBe(renderAuditNagios);
  });
  it('refuses another name, an object property\'s name included', () => {
    for (const name of ['xml', 'toString', '__proto__', 'constructor']) {
      expect(() => auditRenderer(name), name).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: `--format must be text, json, prometheus, nagios, not "${name}"` }));
    }
  });
});
