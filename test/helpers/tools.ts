import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';

const run = promisify(execFile);

export interface ToolResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs an external tool (keytool, openssl); resolves with its exit code instead of throwing. */
export async function tool(cmd: string, args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<ToolResult> {
  try {
    const child = run(cmd, [...args], { cwd: options.cwd, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
    if (options.input !== undefined) {
      child.child.stdin?.end(options.input);
    }
    const { stdout, stderr } = await child;
    return { stdout: String(stdout), stderr: String(stderr), code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number | string };
    return { stdout: String(e.stdout ?? ''), stderr: String(e.stderr ?? ''), code: typeof e.code === 'number' ? e.code : 127 };
  }
}

/** Like tool(), but fails the test with the tool's own output when it exits non-zero. */
export async function mustRun(cmd: string, args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<ToolResult> {
  const result = await tool(cmd, args, options);
  if (result.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

export const keytool = (args: readonly string[], input?: string): Promise<ToolResult> =>
  mustRun('keytool', ['-J-Duser.language=en', ...args], input === undefined ? {} : { input });
export const openssl = (args: readonly string[], input?: string): Promise<ToolResult> =>
  mustRun('openssl', args, input === undefined ? {} : { input });

/** A fresh temporary directory, removed after the test file finishes. */
/**
 * A temp directory removed when the test file ends, wherever it was made: inside it() too, where
 * an afterAll registered then never runs (lab folders with keys and secrets were left in /tmp).
 */
export function tempDir(prefix = 'hapki-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  TEMP_DIRS.add(dir);
  return dir;
}

const TEMP_DIRS = new Set<string>();
function removeTempDirs(): void {
  for (const dir of TEMP_DIRS) rmSync(dir, { recursive: true, force: true });
  TEMP_DIRS.clear();
}
// registered when a test file first imports this module, so on that file's root suite
afterAll(removeTempDirs);
process.on('exit', removeTempDirs);

/** SHA-256 fingerprints (lower-case hex, no colons) in `keytool -list -v` output, in order. */
export function keytoolFingerprints(listing: string): string[] {
  return [...listing.matchAll(/SHA256:\s*([0-9A-F:]+)/g)].map((m) => m[1]!.replace(/:/g, '').toLowerCase());
}
