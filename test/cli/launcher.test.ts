import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_PASSWORD, FIXTURES, REPO_ROOT } from '../helpers/fixtures.js';

// bin/hapki.js is run as a program (a bin link, npx) through its first two lines, read by the
// shell: Node then starts without NODE_EXTRA_CA_CERTS, whose file Node 20 reads before any script.
const work = mkdtempSync(join(tmpdir(), 'hapki launcher '));
afterAll(() => rmSync(work, { recursive: true, force: true }));
// a file Node cannot read: Node warns on stderr when it tries, so the warning shows whether it did
const env = {
  PATH: [dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter),
  STOREPASS: FIXTURE_PASSWORD,
  NODE_EXTRA_CA_CERTS: join(work, 'no such bundle.pem'),
};
const BIN = join(REPO_ROOT, 'bin', 'hapki.js');

describe('the bin script as a program', () => {
  // a keystore whose path a shell would mangle if the launcher did not pass arguments verbatim
  const store = join(work, "a dir with 'quotes', $HOME and * in it", 'gate way.jks');
  mkdirSync(dirname(store));
  copyFileSync(join(FIXTURES, 'gateway.jks'), store);

  it('starts Node without NODE_EXTRA_CA_CERTS and passes every argument as it was given', () => {
    const r = spawnSync(BIN, ['list', store, '--storepass', 'env:STOREPASS'], { encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Keystore format: JKS, 2 entries\n/);
  });

  it('runs the same through a link in another directory, as npm links a bin', () => {
    const link = join(work, '.bin', 'hapki');
    mkdirSync(dirname(link));
    symlinkSync(BIN, link);
    const r = spawnSync(link, ['list', store, '--storepass', 'env:STOREPASS', '--json'], { encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).entries.map((e: { alias: string }) => e.alias).sort()).toEqual(['example-root', 'server1']);
    // the exit code of the command itself comes back through the launcher
    const bad = spawnSync(link, ['list', join(work, 'missing.jks'), '--storepass', 'env:STOREPASS'], { encoding: 'utf8', env });
    const direct = spawnSync(process.execPath, [BIN, 'list', join(work, 'missing.jks'), '--storepass', 'env:STOREPASS'], { encoding: 'utf8', env: { ...env, NODE_EXTRA_CA_CERTS: '' } });
    expect(direct.status).not.toBe(0);
    expect(bad.status).toBe(direct.status);
    expect(bad.stderr).toMatch(/^hapki: .*\(ERR_FILE_NOT_FOUND\)\n$/);
  });

  it('is still a script Node runs directly, where Node itself reads the variable', () => {
    const r = spawnSync(process.execPath, [BIN, 'list', store, '--storepass', 'env:STOREPASS'], { encoding: 'utf8', env });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Keystore format: JKS, 2 entries\n/);
    // the control: without the launcher, Node tried to read the bundle
    expect(r.stderr).toMatch(/extra certs/);
  });
});
