import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

describe('a rejection nobody awaits never ends hapki in Node crash report', () => {
  // regression (found by the cli fuzz target): audit of two ssh:// paths with an --ssh-config that
  // cannot be read printed its error line, then Node's report of the second path's rejection: a
  // line of the bundled source, a stack trace and "Node.js v20"
  it('audit of two ssh:// paths with an unreadable --ssh-config: one coded line, audit\'s UNKNOWN exit', async () => {
    const missing = join(tempDir('hapki-stray-'), 'no-such-config');
    const result = await hapki(['--ssh-config', missing, 'audit', 'ssh://127.0.0.1:1/a.jks', 'ssh://127.0.0.1:1/b.jks', 'ssh://127.0.0.1:2/c.jks', '--storepass', 'env:P'], { env: { P: 'x' } });
    expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_SSH_CONFIG'));
    expect(result.code).toBe(3);
  });

  it('the safety net of the CLI process: a stray during the command fails it; one after a success is reported and makes the exit non-zero', () => {
    const script = `
      import { catchStrayRejections } from ${JSON.stringify(join(REPO_ROOT, 'dist', 'cli', 'stray_rejections.js'))};
      import { HapkiError } from ${JSON.stringify(join(REPO_ROOT, 'dist', 'errors.js'))};
      const strays = catchStrayRejections((e) => process.stdout.write('late: ' + e.code + '\\n'));
      Promise.reject(new HapkiError('ERR_IO', 'during'));
      await new Promise((r) => setTimeout(r, 20));
      process.stdout.write('first: ' + strays.first()?.reason.code + '\\n');
      strays.settle();
      Promise.reject(new HapkiError('ERR_SSH_CONNECT', 'after'));
      await new Promise((r) => setTimeout(r, 20));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stdout).toBe('first: ERR_IO\nlate: ERR_SSH_CONNECT\n');
    expect(run.stderr).toBe('');
    expect(run.status).not.toBe(0);
  });
});
