import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/fixtures.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'hapki-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The README's runnable procedure: the sh blocks between the readme-test markers, in order. */
function procedureBlocks(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const part = /<!-- readme-test:begin -->([\s\S]*?)<!-- readme-test:end -->/.exec(readme)?.[1] ?? '';
  return [...part.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('the README, run as written', () => {
  it('has a procedure to run', () => expect(procedureBlocks().length).toBeGreaterThanOrEqual(3));

  it('every block of the procedure runs green, in one shell, in an empty directory', async () => {
    // `npm link` puts `hapki` on the PATH; here a shim does the same for the built checkout
    const bin = join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'hapki'), `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, 'bin', 'hapki.js')}" "$@"\n`);
    chmodSync(join(bin, 'hapki'), 0o755);
    const dir = join(work, 'procedure');
    mkdirSync(dir);
    const blocks = procedureBlocks();
    const script = ['set -euo pipefail', ...blocks.map((b, i) => `echo "=== block ${i + 1}" >&2\n${b}`)].join('\n');
    const { stdout, stderr } = await run('bash', ['-c', script], { cwd: dir, env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, HOME: work } }).catch((error: { stdout: string; stderr: string; code: number }) => {
      throw new Error(`a README block failed (exit ${error.code}):\n${error.stderr.split('\n').slice(-8).join('\n')}`);
    });
    expect(stderr).toContain(`=== block ${blocks.length}`);
    expect(stdout).toMatch(/^OK: CN=msas1\.example\.com/m);
    expect(stdout).toMatch(/^HAPKI OK - /m);
    expect(stdout).toContain('"valid": true');
    expect(stderr).not.toMatch(/ERR_|deprecated/);
  });
});
