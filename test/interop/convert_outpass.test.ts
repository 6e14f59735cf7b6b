import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { keytool, tempDir, tool } from '../helpers/tools.js';

// `hapki convert --outpass` keeps its word in every direction: keytool (or openssl, for PEM)
// opens every key of the output with the new password alone, the source's own format included,
// even when the source key had a key password of its own.
const dir = tempDir('hapki-outpass-');
const SOURCES = { JKS: 'jks', JCEKS: 'jceks', PKCS12: 'p12' } as const;
const TARGETS = { JKS: 'jks', JCEKS: 'jceks', PKCS12: 'p12', PEM: 'pem' } as const;
const env = { OLD: 'old-store', KEY: 'old-key', NEW: 'new-pass' };

describe('convert --outpass: every key under the new password, in every format', () => {
  beforeAll(async () => {
    for (const [type, ext] of Object.entries(SOURCES)) {
      // PKCS#12 (as keytool writes it) has no key password of its own
      const keypass = type === 'PKCS12' ? env.OLD : env.KEY;
      await keytool(['-genkeypair', '-alias', 'gw', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=gw.example.com', '-keystore', join(dir, `src.${ext}`), '-storetype', type, '-storepass', env.OLD, '-keypass', keypass]);
    }
  }, 120_000);

  for (const [sourceType, sourceExt] of Object.entries(SOURCES)) {
    for (const [targetType, targetExt] of Object.entries(TARGETS)) {
      it(`${sourceType} -> ${targetType}`, async () => {
        const out = join(dir, `${sourceType}-to-${targetType}.${targetExt}`);
        const keypass = sourceType === 'PKCS12' ? [] : ['--keypass', 'env:KEY'];
        const result = await hapki(['convert', join(dir, `src.${sourceExt}`), out, '--out-format', targetType.toLowerCase(), '--storepass', 'env:OLD', ...keypass, '--outpass', 'env:NEW'], { env });
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain('1 key under the output password');
        if (targetType === 'PEM') {
          const opened = await tool('openssl', ['pkey', '-in', out, '-passin', `pass:${env.NEW}`, '-noout']);
          expect(opened.code, opened.stderr).toBe(0);
          return;
        }
        // keytool copies the key out with the store password only (no -srckeypass): it opens only if the key is under it
        const copy = await tool('keytool', ['-J-Duser.language=en', '-importkeystore', '-noprompt', '-srckeystore', out, '-srcstoretype', targetType, '-srcstorepass', env.NEW, '-destkeystore', join(dir, `check-${sourceType}-${targetType}.p12`), '-deststoretype', 'PKCS12', '-deststorepass', 'checkpass']);
        expect(copy.code, copy.stdout + copy.stderr).toBe(0);
        expect(copy.stdout + copy.stderr).toMatch(/1 entries successfully imported, 0 entries failed or cancelled/);
      }, 60_000);
    }
  }
});
