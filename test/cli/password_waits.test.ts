import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

/**
 * Password sources that never deliver a line: a pipe whose writer stays but writes nothing (or
 * never ends its line), as fd:N, as file: (a named FIFO held open, a process substitution) and
 * as stdin; and a terminal given as fd:N or file:/dev/tty, which echoes what is typed. Each was
 * a wait without end (a terminal's with the password on the screen); each is now one
 * ERR_PASSWORD_SOURCE line within HAPKI_PASSWORD_TIMEOUT (1 s here), the secret never shown.
 * The commands run under `timeout 60`, whose exit (124) a hang gives instead of hapki's.
 */
const dir = tempDir('hapki-password-waits-');
const store = join(FIXTURES, 'gateway.p12');
const HAPKI = `${process.execPath} ${join(REPO_ROOT, 'bin', 'hapki.js')}`;
/** A writer that holds its pipe open for 30 s and writes `first` (nothing by default); bash waits for no process substitution. */
const holding = (first = ''): string => `<(${first ? `printf '${first}'; ` : ''}exec sleep 30 2>/dev/null)`;

function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('timeout', ['-k', '5', '60', 'bash', '-c', script], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', HAPKI_PASSWORD_TIMEOUT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('a password source that never gives a line is bounded', () => {
  it.each([
    ['fd:N, a pipe nothing is written to', `${HAPKI} list ${store} --storepass fd:3 3< ${holding()}`],
    ['fd:N, a pipe whose line never ends', `${HAPKI} list ${store} --storepass fd:3 3< ${holding('changeit')}`],
    ['file:, a process substitution nothing is written to', `${HAPKI} list ${store} --storepass file:${holding()}`],
    ['file:, a named FIFO a writer holds open', `mkfifo held; sleep 30 > held 2>/dev/null & ${HAPKI} list ${store} --storepass file:held; r=$?; kill %1; exit $r`],
    ['stdin, a pipe nothing is written to', `${HAPKI} list ${store} --storepass stdin < ${holding()}`],
  ])('%s: ERR_PASSWORD_SOURCE', async (_name, script) => {
    const r = await bash(script);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_PASSWORD_SOURCE'));
    expect(r.stderr).toMatch(/within 1 s \(HAPKI_PASSWORD_TIMEOUT\)/);
  });

  it('stdin whose writer keeps the pipe open after its line: the line is used once the bound is reached', async () => {
    const r = await bash(`${HAPKI} list ${store} --storepass stdin < ${holding('changeit\\n')}`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('server1: private-key');
  });

  // regression: a bound past what a timer holds (2^31-1 ms) was set to 1 ms by Node, with its
  // TimeoutOverflowWarning on stderr: HAPKI_PASSWORD_TIMEOUT=99999999, meant as no limit, gave up at once
  it('HAPKI_PASSWORD_TIMEOUT beyond what a timer holds waits for the line', async () => {
    const r = await bash(`(sleep 1; echo changeit) | HAPKI_PASSWORD_TIMEOUT=99999999 ${HAPKI} list ${store} --storepass stdin`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('server1: private-key');
    expect(r.stderr).toBe('');
  });

  it('a terminal as fd:N or file:/dev/tty is refused at once (what is typed there shows): ERR_PASSWORD_SOURCE, nothing read', async () => {
    expect(spawnSync('script', ['--version']).status).toBe(0);
    for (const source of ['fd:3 3</dev/tty', 'file:/dev/tty']) {
      // script gives the command a terminal; nothing is typed on it (read, it gave an empty line: ERR_KEYSTORE_PASSWORD)
      const r = await bash(`script -qec "${HAPKI} list ${store} --storepass ${source}" /dev/null < /dev/null`);
      expect(r.stdout, source).toMatch(/^hapki: password for [^\n]*: (fd 3|\/dev\/tty) is a terminal, where a password shows as it is typed[^\n]* \(ERR_PASSWORD_SOURCE\)\r?\n$/);
    }
  });
});
