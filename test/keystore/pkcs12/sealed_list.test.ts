import { describe, expect, it } from 'vitest';
import type { PrivateKeyEntry } from '../../../src/keystore/model.js';
import { readPkcs12 } from '../../../src/keystore/pkcs12/read.js';
import { summarizeKeystore } from '../../../src/keystore/summary.js';
import { fixture, FIXTURE_PASSWORD } from '../../helpers/fixtures.js';

const keyOf = (entries: readonly { type: string }[]): PrivateKeyEntry => entries.find((e): e is PrivateKeyEntry => e.type === 'private-key')!;

describe('readPkcs12 with privateKeysSealed (what listing reads, as keytool -list opens no key)', () => {
  it('leaves a key its localKeyId pairs with a certificate sealed (not-opened), described by that certificate as when opened', async () => {
    const opened = await readPkcs12(fixture('gateway.p12'), { password: FIXTURE_PASSWORD });
    const sealed = await readPkcs12(fixture('gateway.p12'), { password: FIXTURE_PASSWORD, privateKeysSealed: true });
    expect(keyOf(opened.entries).key).toBeDefined();
    expect(keyOf(sealed.entries).key).toBeUndefined();
    expect(keyOf(sealed.entries).sealed?.reason).toBe('not-opened');
    expect(keyOf(sealed.entries).chain).toEqual(keyOf(opened.entries).chain);
    expect(summarizeKeystore(sealed)).toEqual(summarizeKeystore(opened));
    // the MAC, and so the store password, is still checked
    await expect(readPkcs12(fixture('gateway.p12'), { password: 'wrong', privateKeysSealed: true })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
    // a key password given for it opens it
    expect(keyOf((await readPkcs12(fixture('gateway.p12'), { password: FIXTURE_PASSWORD, keyPassword: FIXTURE_PASSWORD, privateKeysSealed: true })).entries).key).toBeDefined();
  });
});
