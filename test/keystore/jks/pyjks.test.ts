import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/crypto/digest.js';
import { describePrivateKey } from '../../../src/crypto/key_info.js';
import { readJceks, readJks } from '../../../src/keystore/jks/read.js';
import type { KeystoreEntry } from '../../../src/keystore/model.js';
import { INTEROP } from '../../helpers/fixtures.js';

/**
 * The keystores of the pyjks project (kurtbrose/pyjks, MIT), with what JDK 17 keytool says
 * about each in expected.json.
 */
const DIR = join(INTEROP, 'pyjks');

interface ExpectedEntry {
  alias: string;
  type: KeystoreEntry['type'];
  sha256: string[];
  chainLength?: number;
  algorithm?: string;
  bits?: number;
  keyHex?: string;
}

interface ExpectedCase {
  file: string;
  format: 'JKS' | 'JCEKS';
  storepass: string | null;
  entries?: ExpectedEntry[];
  keyPasswords?: Record<string, string>;
  keytool?: string;
  note?: string;
}

const cases: ExpectedCase[] = (JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as { cases: ExpectedCase[] }).cases;

const read = (c: ExpectedCase, options: Parameters<typeof readJks>[1]) => {
  const bytes = new Uint8Array(readFileSync(join(DIR, c.file)));
  return c.format === 'JKS' ? readJks(bytes, options) : readJceks(bytes, options);
};

function fingerprints(entry: KeystoreEntry): string[] {
  if (entry.type === 'private-key') return entry.chain.map(sha256Hex);
  if (entry.type === 'trusted-cert') return [sha256Hex(entry.certificate)];
  return [];
}

describe('pyjks keystores', () => {
  it('covers every keystore in the directory', () => {
    expect(cases.length).toBeGreaterThanOrEqual(24);
  });

  for (const c of cases.filter((k) => k.entries)) {
    it(`${c.file} reads as keytool lists it`, async () => {
      const store = await read(c, {
        ...(c.storepass === null ? {} : { password: c.storepass }),
        ...(c.keyPasswords ? { keyPasswords: c.keyPasswords } : {}),
      });
      expect(store.format).toBe(c.format);
      expect(store.integrityChecked).toBe(c.storepass !== null);
      const expected = c.entries!;
      expect(store.entries.map((e) => e.alias).sort()).toEqual(expected.map((e) => e.alias).sort());
      for (const want of expected) {
        const entry = store.entries.find((e) => e.alias === want.alias)!;
        expect(entry.type).toBe(want.type);
        expect(fingerprints(entry)).toEqual(want.sha256);
        expect(entry.created).toBeInstanceOf(Date);
        if (entry.type === 'private-key') {
          expect(entry.chain).toHaveLength(want.chainLength!);
          if (c.storepass !== null) {
            expect(entry.key).toBeDefined();
            expect(entry.sealed).toBeUndefined();
            describePrivateKey(entry.key!);
          }
          if (c.keyPasswords?.[want.alias]) expect(entry.password).toBe(c.keyPasswords[want.alias]);
        }
        if (entry.type === 'secret-key') {
          expect(entry.algorithm).toBe(want.algorithm);
          expect(Buffer.from(entry.key!).toString('hex')).toBe(want.keyHex);
          expect(entry.key!.length * 8).toBe(want.bits);
          if (c.keyPasswords?.[want.alias]) expect(entry.password).toBe(c.keyPasswords[want.alias]);
        }
      }
      if (c.file.includes('duplicate_aliases')) {
        expect(store.warnings).toEqual([expect.stringContaining('duplicate alias "my_alias"')]);
      } else if (c.storepass === null) {
        expect(store.warnings).toEqual([expect.stringMatching(/integrity of JKS keystore not checked: no password given/)]);
      } else {
        expect(store.warnings).toEqual([]);
      }
    });

    if (c.storepass !== null && c.entries!.length > 0) {
      it(`${c.file} lists without a password, keys sealed`, async () => {
        const store = await read(c, {});
        expect(store.integrityChecked).toBe(false);
        expect(store.warnings[0]).toMatch(/not checked: no password given/);
        for (const e of store.entries) {
          if (e.type === 'private-key' || e.type === 'secret-key') {
            expect(e.key).toBeUndefined();
            expect(e.sealed).toMatchObject({ format: c.format, reason: 'no-password' });
          }
        }
      });

      it(`${c.file} refuses a wrong store password`, async () => {
        await expect(read(c, { password: `${c.storepass}x` })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
      });
    }
  }

  for (const c of cases.filter((k) => k.keyPasswords)) {
    it(`${c.file}: keys with their own password stay sealed when only the store password is given`, async () => {
      const store = await read(c, { password: c.storepass! });
      for (const alias of Object.keys(c.keyPasswords!)) {
        const entry = store.entries.find((e) => e.alias === alias);
        if (!entry || entry.type === 'trusted-cert') continue;
        expect(entry.key).toBeUndefined();
        expect(entry.sealed).toMatchObject({ format: c.format, reason: 'wrong-password' });
      }
    });

    it(`${c.file}: a wrong explicit key password is ERR_KEY_PASSWORD naming the alias`, async () => {
      await expect(read(c, { password: c.storepass!, keyPasswords: { private: 'nope' } })).rejects.toMatchObject({
        code: 'ERR_KEY_PASSWORD',
        alias: 'private',
      });
    });
  }

  for (const c of cases.filter((k) => !k.entries)) {
    it(`${c.file} fails with a clear unsupported-algorithm error (keytool: ${c.keytool})`, async () => {
      const error = await read(c, { password: c.storepass! }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM' });
      expect((error as { algorithm: string }).algorithm).not.toBe('');
    });
  }
});
