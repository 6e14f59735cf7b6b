import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { keytool, tempDir } from '../helpers/tools.js';

/**
 * What keytool's users type, as they type it: `list -v`, `-rfc`. The stores are keytool's own.
 */
const dir = tempDir('hapki-keytool-words-');
const env = { P: 'words-pass-1' };
const at = (name: string): string => join(dir, name);

beforeAll(async () => {
  const made = await keytool(['-genkeypair', '-alias', 'Server1', '-keyalg', 'EC', '-groupname', 'secp384r1', '-dname', 'CN=words.example.com', '-validity', '30', '-keystore', at('gw.p12'), '-storepass', env.P]);
  expect(made.code, made.stderr).toBe(0);
}, 60_000);

describe('keytool words', () => {
  it('list -v (and -v anywhere, or --verbose) lists what list lists: -v is --verbose, as -q is --quiet', async () => {
    const plain = await hapki(['list', at('gw.p12'), '--storepass', 'env:P'], { env });
    expect(plain.code, plain.stderr).toBe(0);
    for (const args of [['list', '-v', at('gw.p12')], ['list', at('gw.p12'), '-v'], ['-v', 'list', at('gw.p12')], ['list', '--verbose', at('gw.p12')]]) {
      const verbose = await hapki([...args, '--storepass', 'env:P'], { env });
      expect(verbose.code, verbose.stderr).toBe(0);
      expect(verbose.stdout).toBe(plain.stdout);
    }
    expect(plain.stdout).toMatch(/^server1: private-key, EC P-384 384, chain length 1$/im);
    // on a failure -v adds the cause, as --verbose does
    const missing = await hapki(['list', '-v', at('none.p12')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ERR_FILE_NOT_FOUND/);
    expect(missing.stderr).toMatch(/cause: ENOENT/);
    expect((await hapki(['list', at('none.p12')])).stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_NOT_FOUND'));
  });
});
