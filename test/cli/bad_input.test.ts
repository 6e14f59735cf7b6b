import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { FIXTURES, INTEROP } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir();
const env = { STOREPASS: 'changeit', WRONG: 'wrong-password' };

/** Runs a conversion that must fail, and checks the code and that the output directory is untouched. */
async function failsCleanly(args: string[], code: string): Promise<void> {
  const out = join(dir, 'out');
  const before = readdirSync(dir).sort();
  const result = await hapki(['convert', ...args, join(out + '.p12')], { env });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(ONE_LINE_ERROR(code));
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(readdirSync(dir).sort()).toEqual(before);
}

describe('bad input: a clear one-line error with a stable code, and no file left behind', () => {
  it.each(['gateway.p12', 'gateway-legacy.p12', 'gateway.jks', 'gateway.jceks'])('wrong password for %s: ERR_KEYSTORE_PASSWORD', async (name) => {
    await failsCleanly([join(FIXTURES, name), '--storepass', 'env:WRONG', '--outpass', 'env:STOREPASS'], 'ERR_KEYSTORE_PASSWORD');
  });

  it.each(['gateway.p12', 'gateway.jks', 'gateway.jceks', 'gateway.pem'])('%s truncated at several points: ERR_KEYSTORE_FORMAT', async (name) => {
    const whole = readFileSync(join(FIXTURES, name));
    for (const fraction of [0.1, 0.5, 0.9]) {
      const truncated = join(dir, `truncated-${name}`);
      writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * fraction)));
      const result = await hapki(['list', truncated, '--storepass', 'env:STOREPASS'], { env });
      expect(result.code, `${name} at ${fraction}`).toBe(1);
      expect(result.stderr, `${name} at ${fraction}`).toMatch(/\((ERR_KEYSTORE_FORMAT|ERR_KEYSTORE_INTEGRITY|ERR_KEYSTORE_PASSWORD)\)\n$/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a truncated PKCS#12 is ERR_KEYSTORE_FORMAT and the conversion writes nothing', async () => {
    const truncated = join(dir, 'cut.p12');
    const whole = readFileSync(join(FIXTURES, 'gateway.p12'));
    writeFileSync(truncated, whole.subarray(0, whole.length - 7));
    await failsCleanly([truncated, '--storepass', 'env:STOREPASS'], 'ERR_KEYSTORE_FORMAT');
  });

  it('an unknown sealed-object algorithm: ERR_UNSUPPORTED_ALGORITHM naming it', async () => {
    const file = join(INTEROP, 'pyjks', 'jceks', 'unknown_sealed_object_sealAlg.jceks');
    const result = await hapki(['convert', file, join(dir, 'never.p12'), '--storepass', 'env:P'], { env: { P: '12345678' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(ONE_LINE_ERROR('ERR_UNSUPPORTED_ALGORITHM'));
    expect(readdirSync(dir)).not.toContain('never.p12');
  });

  it('a FIFO and a device are refused at once, never read', async () => {
    const fifo = join(dir, 'fifo.p12');
    execFileSync('mkfifo', [fifo]);
    expect((await hapki(['list', fifo])).stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
    expect((await hapki(['list', '/dev/zero'])).stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
  });

  it('an empty file and a directory', async () => {
    const empty = join(dir, 'empty.p12');
    writeFileSync(empty, '');
    expect((await hapki(['list', empty])).stderr).toMatch(ONE_LINE_ERROR('ERR_KEYSTORE_FORMAT'));
    expect((await hapki(['list', dir])).stderr).toMatch(ONE_LINE_ERROR('ERR_IO'));
  });

  it('a failing command prints its one error line, not the warnings raised before it (kept with --verbose, and on success)', async () => {
    const store = join(FIXTURES, 'gateway.p12');
    const failed = await hapki(['list', store, '--storepass', 'pass:wrong-password']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(ONE_LINE_ERROR('ERR_KEYSTORE_PASSWORD'));
    const verbose = await hapki(['list', store, '--storepass', 'pass:wrong-password', '--verbose']);
    expect(verbose.stderr).toMatch(/^hapki: warning: password for .* given with pass: is visible/);
    expect(verbose.stderr).toMatch(/\(ERR_KEYSTORE_PASSWORD\)\n$/);
    // a verdict on standard output before the failure does not bring the warnings back
    const verdict = await hapki(['verify', store, '--storepass', 'pass:changeit', '--trust', join(FIXTURES, 'ca.pem')]);
    expect(verdict.code).toBe(1);
    expect(verdict.stdout).toMatch(/^FAIL: /);
    expect(verdict.stderr).toMatch(ONE_LINE_ERROR('ERR_CHAIN_UNTRUSTED'));
    const listed = await hapki(['list', store, '--storepass', 'pass:changeit']);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toMatch(/^hapki: warning: password for .* given with pass: is visible/);
  });
});
