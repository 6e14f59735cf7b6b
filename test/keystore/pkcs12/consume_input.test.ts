import { describe, expect, it } from 'vitest';
import { readPkcs12 } from '../../../src/keystore/pkcs12/read.js';
import { writePkcs12 } from '../../../src/keystore/pkcs12/write.js';
import type { TrustedCertEntry } from '../../../src/keystore/model.js';
import { fixture, FIXTURE_PASSWORD } from '../../helpers/fixtures.js';

describe('readPkcs12 with consumeInput', () => {
  for (const legacy of [false, true]) {
    it(`${legacy ? 'legacy (RC2 certificates, copied)' : 'modern (AES certificates, decrypted in place)'}: the same store as a read that keeps the bytes`, async () => {
      const source = await readPkcs12(fixture('gateway.p12'), { password: FIXTURE_PASSWORD });
      const file = await writePkcs12(source, { password: FIXTURE_PASSWORD, legacy });
      const kept = await readPkcs12(file.slice(), { password: FIXTURE_PASSWORD });
      const given = file.slice();
      const consumed = await readPkcs12(given, { password: FIXTURE_PASSWORD, consumeInput: true });
      expect(consumed).toEqual(kept);
      const cert = (consumed.entries.find((e) => e.type === 'trusted-cert') as TrustedCertEntry).certificate;
      // in place, the certificates are views of the bytes given; else of a buffer of their own
      expect(cert.buffer === given.buffer).toBe(!legacy);
    });
  }

  it('a wrong password still fails as a password error, whatever the bytes become', async () => {
    const source = await readPkcs12(fixture('gateway.p12'), { password: FIXTURE_PASSWORD });
    const file = await writePkcs12(source, { password: FIXTURE_PASSWORD });
    await expect(readPkcs12(file.slice(), { password: 'wrong', consumeInput: true })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
  });
});
