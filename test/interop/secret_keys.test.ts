import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { INTEROP, REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tools.js';

// Secret keys of every algorithm the JDK generates (SHA-3 and SHA-512/t HMACs too), and a PBE password entry (keytool
// -importpass), made by the JDK in a JCEKS, converted by hapki to PKCS#12 and back to JCEKS under
// a new password, then read by the JDK: same aliases, same bytes, same Java names.
const dir = tempDir('hapki-secret-');
// the JDK writes the source at a thousand rounds a key, to keep the test fast; hapki writes the
// result at the JDK's default, 200,000
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
    expect(before.split('\n').filter(Boolean)).toHaveLength(20);
    expect(before).toMatch(/^pbe PBEWithMD5AndDES /m);

    const p12 = join(dir, 'middle.p12');
    const back = join(dir, 'back.jceks');
    const env = { OLD: 'oldpass', NEW: 'newpass' };
    const toP12 = await hapki(['convert', source, p12, '--storepass', 'env:OLD', '--outpass', 'env:NEW'], { env });
    expect(toP12.stderr).toContain('20 of 20 entries');
    expect(toP12.stderr).toContain('20 keys under the output password');
    // back as a user would, at the JDK's own 200,000 rounds a key
    const toJceks = await hapki(['convert', p12, back, '--storepass', 'env:NEW'], { env });
    expect(toJceks.code).toBe(0);
    expect(toJceks.stderr).toContain('20 of 20 entries');

    expect(java('dump', back, 'JCEKS', 'newpass')).toBe(before);
    // the PKCS#12 in between holds the keys the JDK can name under the OIDs it writes itself
    const middle = java('dump', p12, 'PKCS12', 'newpass');
    for (const line of ['aes AES ', 'desede DESede ', 'hmacsha256 HmacSHA256 ', 'arcfour ARCFOUR ', 'pbe PBEWithMD5AndDES ', 'hmacsha512-256 HmacSHA512/256 ', 'hmacsha3-256 HmacSHA3-256 ']) expect(middle).toContain(line);
    expect(middle.split('\n').filter(Boolean)).toHaveLength(20);
  }, 120_000);

  it('a PBKDF2WithHmacSHA1 key (pyjks) and keys keytool puts in a PKCS#12 keep their Java names', async () => {
    const env = { P: '12345678' };
    const source = join(INTEROP, 'pyjks', 'jceks', 'PBKDF2WithHmacSHA1.jceks');
    const p12 = join(dir, 'pbkdf2.p12');
    const converted = await hapki(['convert', source, p12, '--storepass', 'env:P'], { env });
    expect(converted.stderr).toContain('1 of 1 entries');
    const before = java('dump', source, 'JCEKS', '12345678');
    expect(before).toMatch(/^mykey PBKDF2WithHmacSHA1 [0-9a-f]+\n$/);
    expect(java('dump', p12, 'PKCS12', '12345678')).toBe(before);

    // keytool -genseckey straight into a PKCS#12: hapki lists them under the JDK's names
    const made = join(dir, 'keytool.p12');
    for (const alg of ['HmacSHA3-256', 'HmacSHA512/256']) {
      execFileSync('keytool', ['-genseckey', '-keystore', made, '-storetype', 'PKCS12', '-storepass', '12345678', '-alias', alg.replace('/', '-'), '-keyalg', alg, '-keysize', '256']);
    }
    const listed = await hapki(['list', made, '--storepass', 'env:P', '--json'], { env });
    const entries = (JSON.parse(listed.stdout) as { entries: { alias: string; algorithm: string }[] }).entries;
    expect(entries.map((e) => `${e.alias} ${e.algorithm}`).sort()).toEqual(['hmacsha3-256 HmacSHA3-256', 'hmacsha512-256 HmacSHA512/256']);
  }, 120_000);
});
