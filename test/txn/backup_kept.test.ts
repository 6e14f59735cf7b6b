import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';
import { hapkiStoppedAt } from '../helpers/stopped_at.js';

/**
 * The previous `.bak` of a file is replaced only once the file itself is: a command whose rename
 * of the file is refused leaves the old `.bak` as it was, and a kill between the file's rename and
 * its `.bak`'s is finished by recovery (the old content, staged, becomes the `.bak`).
 */
const env = { STOREPASS: FIXTURE_PASSWORD };
const addTrusted = (store: string, alias: string): string[] => ['import', store, '--trusted', join(FIXTURES, 'ca.pem'), '--alias', alias, '--storepass', 'env:STOREPASS'];

const stoppedAt = (args: string[], step: string, act: () => void): ReturnType<typeof hapkiStoppedAt> => hapkiStoppedAt(args, step, act, env);

describe('the previous .bak', () => {
  // Regression: the .bak was renamed into place before the file, so a rename refused for the file
  // (chattr +i, a directory put in its place) failed the command after the previous .bak was gone
  it('is kept when the rename of the file itself is refused', async () => {
    const dir = tempDir('hapki-bak-kept-');
    const file = join(dir, 'gw.p12');
    copyFileSync(join(FIXTURES, 'gateway.p12'), file);
    writeFileSync(join(dir, 'gw.p12.bak'), 'the previous backup\n');
    // after the last look at the file before the renames (at 'staged', a directory there is a change by another program: ERR_CONCURRENT_CHANGE)
    const run = await stoppedAt(addTrusted(file, 'extra'), 'rechecked', () => {
      // a directory that is not empty: renaming a file over it is refused (EISDIR)
      renameSync(file, join(dir, 'aside'));
      mkdirSync(file);
      writeFileSync(join(file, 'x'), 'x');
    });
    expect(run.acted).toBe(true);
    expect(run.stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    expect(readFileSync(join(dir, 'gw.p12.bak'), 'utf8')).toBe('the previous backup\n');
    expect(readdirSync(dir).sort()).toEqual(['aside', 'gw.p12', 'gw.p12.bak']);
    rmSync(file, { recursive: true });
  });

  it('killed between the file and its .bak (one file, no journal): recover makes the old content the .bak', async () => {
    const dir = tempDir('hapki-bak-kill-');
    const file = join(dir, 'gw.p12');
    copyFileSync(join(FIXTURES, 'gateway.p12'), file);
    const old = readFileSync(file);
    writeFileSync(join(dir, 'gw.p12.bak'), 'the previous backup\n');
    const killed = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'hapki.js'), ...addTrusted(file, 'extra')], { env: { PATH: process.env['PATH'] ?? '', ...env, HAPKI_TEST_CRASH_AT: 'replaced-1' } });
    expect(killed.signal).toBe('SIGKILL');
    expect(readFileSync(file).equals(old)).toBe(false);
    const recover = await hapki(['recover', dir], { env });
    expect(recover.code, recover.stderr).toBe(0);
    expect(recover.stderr).toContain('it was already made');
    expect(readdirSync(dir).sort()).toEqual(['gw.p12', 'gw.p12.bak']);
    expect(readFileSync(join(dir, 'gw.p12.bak')).equals(old)).toBe(true);
    const listed = await hapki(['list', file, '--storepass', 'env:STOREPASS'], { env });
    expect(listed.stdout).toContain('extra');
  });

  it('killed between the first file and its .bak (two files, journaled): recover finishes both, each .bak its old content', async () => {
    const dir = tempDir('hapki-bak-kill2-');
    for (const name of ['a.pem', 'b.pem']) {
      writeFileSync(join(dir, name), `old ${name}\n`);
      writeFileSync(join(dir, `${name}.bak`), `previous ${name}\n`);
    }
    const script = `const { commitChangeSet } = await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'index.js'))});
await commitChangeSet(['a.pem', 'b.pem'].map((n) => ({ path: ${JSON.stringify(dir)} + '/' + n, action: 'write', content: 'new ' + n + '\\n', force: true, backup: true })));`;
    const killed = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env['PATH'] ?? '', HAPKI_TEST_CRASH_AT: 'replaced-1' } });
    expect(killed.signal, killed.stderr.toString()).toBe('SIGKILL');
    const recover = await hapki(['recover', dir], { env });
    expect(recover.code, recover.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['a.pem', 'a.pem.bak', 'b.pem', 'b.pem.bak']);
    for (const name of ['a.pem', 'b.pem']) {
      expect(readFileSync(join(dir, name), 'utf8')).toBe(`new ${name}\n`);
      expect(readFileSync(join(dir, `${name}.bak`), 'utf8')).toBe(`old ${name}\n`);
    }
  });

  // Regression: recovery took any staged old content without a staged new one for "killed between
  // the two renames", and made it the .bak; a delete stages no new content, so a delete killed
  // before its rename lost the previous .bak and was reported as made while the file was still there
  it('killed after staging a delete (one file): recover leaves the file and the previous .bak as they were', async () => {
    const dir = tempDir('hapki-bak-kill-del-');
    writeFileSync(join(dir, 'a.pem'), 'old a.pem\n');
    writeFileSync(join(dir, 'a.pem.bak'), 'previous a.pem\n');
    const script = `const { commitChangeSet } = await import(${JSON.stringify(join(REPO_ROOT, 'dist', 'index.js'))});
await commitChangeSet([{ path: ${JSON.stringify(dir)} + '/a.pem', action: 'delete', backup: true }]);`;
    const killed = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env['PATH'] ?? '', HAPKI_TEST_CRASH_AT: 'staged' } });
    expect(killed.signal, killed.stderr.toString()).toBe('SIGKILL');
    const recover = await hapki(['recover', dir], { env });
    expect(recover.code, recover.stderr).toBe(0);
    expect(recover.stderr).not.toContain('it was already made');
    expect(readdirSync(dir).sort()).toEqual(['a.pem', 'a.pem.bak']);
    expect(readFileSync(join(dir, 'a.pem'), 'utf8')).toBe('old a.pem\n');
    expect(readFileSync(join(dir, 'a.pem.bak'), 'utf8')).toBe('previous a.pem\n');
  });
});
