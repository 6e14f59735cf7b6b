import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

describe('the top-level help', () => {
  it('shows, from the index the build wrote, exactly what loading every command would show', async () => {
    const { buildProgram } = (await import(join(REPO_ROOT, 'dist', 'cli', 'program.js'))) as typeof import('../../src/cli/program.js');
    const { PasswordResolver } = (await import(join(REPO_ROOT, 'dist', 'cli', 'password_source.js'))) as typeof import('../../src/cli/password_source.js');
    const io = { stdout: () => undefined, stderr: () => undefined, env: {} };
    const full = await buildProgram({ io, passwords: new PasswordResolver(io as never) } as never, ['node', 'hapki'], { allCommands: true });
    const shown = await hapki(['--help']);
    expect(shown.code).toBe(0);
    // helpInformation() is the help without the text added after it (examples, exit codes)
    expect(shown.stdout.startsWith(full.helpInformation())).toBe(true);
    expect(shown.stdout).toMatch(/Exit codes:/);
    expect(shown.stdout).toContain('sign [options] <csr...>');
  });

  it('finds the command after a global option and its value, and for `help <command>`', async () => {
    for (const args of [['--lock-timeout', '5', 'sign', '--help'], ['help', 'sign']]) {
      const r = await hapki(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: hapki sign \[options\] <csr\.\.\.>/);
      expect(r.stdout).toContain('--out-dir <dir>');
    }
  });
});
