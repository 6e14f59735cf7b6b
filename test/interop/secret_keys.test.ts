import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertKeystore } from '../../src/keystore/convert.js';
import { writeJceks } from '../../src/keystore/jks/write.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';
import { hapki } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

// Secret keys of every algorithm the JDK generates, and a PBE password entry (keytool
// -importpass), made by the JDK in a JCEKS, converted by hapki to PKCS#12 and back to JCEKS under
// a new password, then read by the JDK: same aliases, same bytes, same Java names.
const dir = tempDir('hapki-secret-');
// the JDK's own JCEKS default is 200,000 rounds a key: a thousand keeps the test fast
const java = (...args: string[]): string => execFileSync('java', ['-Djdk.jceks.iterationCount=1000', '-cp', dir, 'SecretKeys', ...args], { encoding: 'utf8' });

describe('secret keys through JCEKS -> PKCS#12 -> JCEKS, checked by the JDK', () => {
  beforeAll(() => {
    copyFileSync(join(REPO_ROOT, 'test', 'interop', 'java', 'SecretKeys.java'), join(dir, 'SecretKeys.java'));
    execFileSync('javac', ['-d', dir, join(dir, 'SecretKeys.java')]);
  }, 60_000);

  it('keeps every key, its bytes and its Java name, under the new password only', async () => {
    const source = join(dir, 'source.jceks');
    java('make', source, 'JCEKS', 'oldpass');
    const before = java('dump', source, 'JCEKS', 'oldpass');
    expect(before.split('\n').filter(Boolean)).toHaveLength(12);
    expect(before).toMatch(/^pbe PBEWithMD5AndDES /m);

    const p12 = join(dir, 'middle.p12');
    const back = join(dir, 'back.jceks');
    const env = { OLD: 'oldpass', NEW: 'newpass' };
    const toP12 = await hapki(['convert', source, p12, '--storepass', 'env:OLD', '--outpass', 'env:NEW'], { env });
    expect(toP12.stderr).toContain('12 of 12 entries');
    expect(toP12.stderr).toContain('12 keys under the output password');
    // back through the library, to write the JCEKS at a thousand rounds too
    const { store, skipped } = convertKeystore(await readKeystore(new Uint8Array(readFileSync(p12)), { password: 'newpass' }), 'JCEKS');
    expect(skipped).toEqual([]);
    writeFileSync(back, await writeJceks(store, { password: 'newpass', iterations: 1000 }));

    expect(java('dump', back, 'JCEKS', 'newpass')).toBe(before);
    // the PKCS#12 in between holds the keys the JDK can name under the OIDs it writes itself
    const middle = java('dump', p12, 'PKCS12', 'newpass');
    for (const line of ['aes AES ', 'desede DESede ', 'hmacsha256 HmacSHA256 ', 'arcfour ARCFOUR ', 'pbe PBEWithMD5AndDES ']) expect(middle).toContain(line);
    expect(middle.split('\n').filter(Boolean)).toHaveLength(12);
  }, 120_000);
});
