import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURE_PASSWORD, FIXTURES } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';
import { hapkiStoppedAt as stoppedAt } from '../helpers/stopped_at.js';

/**
 * `csr --new-key` makes its key before it locks the keystore, then adds it to the file as it is
 * once locked. Another program that rewrites the keystore in that moment so that it cannot be
 * read as before (keytool -storepasswd, another file copied over it) gets one coded line naming
 * the file and saying it changed meanwhile; nothing is written.
 */

const hapkiStoppedAt = (args: string[], step: string, act: () => void): ReturnType<typeof stoppedAt> => stoppedAt(args, step, act, { STOREPASS: FIXTURE_PASSWORD });

const newKey = (store: string): string[] => ['csr', '--new-key', '--keystore', store, '--alias', 'fresh', '--kty', 'ec', '--subject', 'CN=fresh.example.com', '--storepass', 'env:STOREPASS', '--out', join(store, '..', 'fresh.csr')];

describe('csr --new-key on a keystore rewritten while the key was made', () => {
  // Regression: "keystore password was incorrect (ERR_KEYSTORE_PASSWORD)", naming no file, for a
  // password that had opened the keystore a moment before
  it('a new password meanwhile: ERR_KEYSTORE_PASSWORD naming the file and saying it changed; nothing written', async () => {
    const dir = tempDir('hapki-csr-rewritten-');
    const store = join(dir, 'gw.p12');
    copyFileSync(join(FIXTURES, 'gateway.p12'), store);
    const run = await hapkiStoppedAt(newKey(store), 'locked', () => {
      execFileSync('keytool', ['-storepasswd', '-keystore', store, '-storetype', 'PKCS12', '-storepass', FIXTURE_PASSWORD, '-new', 'changed-meanwhile'], { stdio: 'pipe' });
    });
    expect(run.acted).toBe(true);
    expect(run.stderr).toMatch(ONE_LINE_ERROR('ERR_KEYSTORE_PASSWORD'));
    expect(run.stderr).toContain(`${store} was rewritten by another program while the new key was made, and the password given no longer opens it (changed meanwhile)`);
    expect(run.stderr).not.toContain('changed-meanwhile');
    const listing = execFileSync('keytool', ['-list', '-keystore', store, '-storetype', 'PKCS12', '-storepass', 'changed-meanwhile'], { encoding: 'utf8' });
    expect(listing).not.toContain('fresh');
    expect(readdirSync(dir).sort()).toEqual(['gw.p12']);
  });

  it('another file put in its place meanwhile: the same code as reading it gives, naming the keystore; nothing written', async () => {
    const dir = tempDir('hapki-csr-rewritten-');
    const store = join(dir, 'gw.p12');
    copyFileSync(join(FIXTURES, 'gateway.p12'), store);
    const run = await hapkiStoppedAt(newKey(store), 'locked', () => writeFileSync(store, 'not a keystore\n'));
    expect(run.acted).toBe(true);
    expect(run.stderr).toMatch(ONE_LINE_ERROR('ERR_KEYSTORE_FORMAT'));
    expect(run.stderr).toContain(`${store} was rewritten by another program while the new key was made, and cannot be read now:`);
    expect(readFileSync(store, 'utf8')).toBe('not a keystore\n');
    expect(readdirSync(dir).sort()).toEqual(['gw.p12']);
  });
});
