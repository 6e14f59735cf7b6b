import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { keytool, tempDir } from '../helpers/tools.js';
import { FIXTURES } from '../helpers/fixtures.js';

// Every command that creates a PKCS#12 keystore says so when Java's tools will not open it: the
// JDK's PKCS12 refuses a password outside ASCII (convert and export warned; ca init, csr
// --new-key, token issue and apply wrote such a store silently)
const dir = tempDir('hapki-java-warn-');
const at = (f: string): string => join(dir, f);
const NON_ASCII = 'pässwört€-2';
const WARNING = "cannot open the file, though OpenSSL and BouncyCastle do";

describe('a new PKCS#12 under a password outside ASCII', () => {
  it('ca init, csr --new-key and token issue warn, naming the file; keytool indeed refuses it', async () => {
    const env = { P: NON_ASCII };
    const runs = {
      'ca.p12': await hapki(['ca', 'init', '--subject', 'CN=Umlaut CA', '--kty', 'ec', '--out', at('ca.p12'), '--outpass', 'env:P'], { env }),
      'node.p12': await hapki(['csr', '--new-key', '--kty', 'ec', '--subject', 'CN=n.example.com', '--keystore', at('node.p12'), '--alias', 'n', '--storepass', 'env:P', '--out', at('n.csr')], { env }),
      'token.p12': await hapki(['token', 'issue', '--self-signed', '--subject', 'CN=token', '--kty', 'ec', '--out', at('token.p12'), '--outpass', 'env:P'], { env }),
    };
    for (const [file, r] of Object.entries(runs)) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.split('\n').filter((l) => l.includes(WARNING)), file).toEqual([expect.stringContaining(`hapki: warning: ${at(file)}: the password has characters outside ASCII`)]);
      // the message never shows the password
      expect(r.stderr).not.toContain(NON_ASCII);
    }
    const jdk = await keytool(['-list', '-storetype', 'PKCS12', '-keystore', at('ca.p12'), '-storepass', NON_ASCII]).then(
      () => 'opened',
      (e: Error) => e.message,
    );
    expect(jdk).not.toBe('opened');
  });

  it('a command that then fails prints only its error line: the warning is about a file it did not write', async () => {
    const args = ['convert', join(FIXTURES, 'gateway.p12'), at('converted.p12'), '--storepass', 'env:S', '--outpass', 'env:P'];
    const env = { S: 'changeit', P: NON_ASCII };
    const first = await hapki(args, { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(WARNING);
    const again = await hapki(args, { env });
    expect(again.stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_EXISTS'));
  });

  it('no warning for an ASCII password, for JKS, nor for a keystore that already existed', async () => {
    const ascii = await hapki(['ca', 'init', '--subject', 'CN=Plain CA', '--kty', 'ec', '--out', at('plain.p12'), '--outpass', 'env:P'], { env: { P: 'changeit' } });
    expect(ascii.code, ascii.stderr).toBe(0);
    expect(ascii.stderr).not.toContain(WARNING);
    const jks = await hapki(['ca', 'init', '--subject', 'CN=Jks CA', '--kty', 'ec', '--out', at('ca.jks'), '--outpass', 'env:P'], { env: { P: NON_ASCII } });
    expect(jks.code, jks.stderr).toBe(0);
    expect(jks.stderr).not.toContain(WARNING);
    // a second key in the same store: the file was already what it is, and was warned of when made
    const second = await hapki(['csr', '--new-key', '--kty', 'ec', '--subject', 'CN=m.example.com', '--keystore', at('node.p12'), '--alias', 'm', '--storepass', 'env:P', '--out', at('m.csr')], { env: { P: NON_ASCII } });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain(WARNING);
  });
});
