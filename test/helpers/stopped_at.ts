import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './fixtures.js';

/** Whether the process stands stopped (SIGSTOP: state T in /proc/<pid>/stat). */
export function isStopped(pid: number | undefined): boolean {
  try {
    return / T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ')'));
  } catch {
    return false;
  }
}

/**
 * hapki stopped at a write-path step (HAPKI_TEST_STOP_AT): `act` runs while it stands there, then
 * it goes on. What `act` does lands at exactly that step, however busy the machine.
 */
export function hapkiStoppedAt(args: string[], step: string, act: () => void, env: Readonly<Record<string, string>> = {}): Promise<{ code: number; stderr: string; acted: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'hapki.js'), ...args], { env: { PATH: process.env['PATH'] ?? '', ...env, HAPKI_TEST_STOP_AT: step } });
    let stderr = '';
    let acted = false;
    const timer = setInterval(() => {
      if (acted || !isStopped(child.pid)) return;
      acted = true;
      try {
        act();
      } finally {
        child.kill('SIGCONT');
      }
    }, 5);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code: code ?? -1, stderr, acted });
    });
  });
}
