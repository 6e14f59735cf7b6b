import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './fixtures.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built binary, as a user would: `node bin/hapki.js ...` (`nodeArgs`: options for node itself, before the script). */
export function hapki(args: readonly string[], options: { env?: Record<string, string>; input?: string; cwd?: string; stdio?: ('pipe' | number)[]; nodeArgs?: readonly string[] } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(REPO_ROOT, 'bin', 'hapki.js'), ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...options.env },
      stdio: options.stdio ?? ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin?.end(options.input ?? '');
  });
}

/** The one-line error format every failure must have: no stack trace, a stable code. */
export const ONE_LINE_ERROR = (code: string): RegExp => new RegExp(`^hapki: [^\\n]+ \\(${code}\\)\\n$`);
