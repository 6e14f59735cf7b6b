import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refuseOutputTarget } from '../../src/fs/output_target.js';

const dir = mkdtempSync(join(tmpdir(), 'hapki-output-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('refuseOutputTarget', () => {
  it('lets a new name through, forced or not', () => {
    expect(() => refuseOutputTarget(join(dir, 'new.csr'), false)).not.toThrow();
    expect(() => refuseOutputTarget(join(dir, 'new.csr'), true)).not.toThrow();
  });
  it('refuses a file there unless forced', () => {
    const file = join(dir, 'old.csr');
    writeFileSync(file, 'x');
    expect(() => refuseOutputTarget(file, false)).toThrow(expect.objectContaining({ code: 'ERR_FILE_EXISTS' }));
    expect(() => refuseOutputTarget(file, true)).not.toThrow();
  });
  it('refuses a directory there, forced or not', () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect(() => refuseOutputTarget(sub, false)).toThrow(expect.objectContaining({ code: 'ERR_UNSAFE_PATH' }));
    expect(() => refuseOutputTarget(sub, true)).toThrow(expect.objectContaining({ code: 'ERR_UNSAFE_PATH' }));
  });
});
