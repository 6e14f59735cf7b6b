import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getEntry } from '../../src/keystore/alias.js';
import { keystoreDigest } from '../../src/keystore/jks/integrity.js';
import { readJks } from '../../src/keystore/jks/read.js';
import { writeJks } from '../../src/keystore/jks/write.js';
import type { Keystore } from '../../src/keystore/model.js';
import { readPkcs12 } from '../../src/keystore/pkcs12/read.js';
import { FIXTURES } from '../helpers/fixtures.js';

const HOSTILE = `\x1b[31mred\r\nhapki: forged line (ERR_NONE)${'A'.repeat(3000)}`;

/** A JKS store whose certificates claim the type `type` instead of X.509 (digest made again). */
async function jksWithCertificateType(type: string): Promise<Uint8Array> {
  const store = await readPkcs12(new Uint8Array(readFileSync(join(FIXTURES, 'gateway.p12'))), { password: 'changeit' });
  const written = Buffer.from(await writeJks({ ...store, format: 'JKS' }, { password: 'pw', iterations: 1 }));
  const body = written.subarray(0, written.length - 20);
  const name = Buffer.from(type, 'utf8');
  const utf = Buffer.concat([Buffer.from([name.length >> 8, name.length & 0xff]), name]);
  const edited = Buffer.from(body.toString('latin1').split('\x00\x05X.509').join(utf.toString('latin1')), 'latin1');
  return Buffer.concat([edited, keystoreDigest('pw', edited)]);
}

describe('names read from a file are not echoed in messages when they are not short plain names', () => {
  it('an unknown JKS certificate type: named when plain, only by its length when hostile', async () => {
    await expect(readJks(await jksWithCertificateType('X.510'), { password: 'pw' })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM', message: expect.stringContaining('unsupported algorithm X.510') });
    const error = await readJks(await jksWithCertificateType(HOSTILE), { password: 'pw' }).then(
      () => new Error('read without an error'),
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM' });
    expect(error.message).not.toMatch(/forged|AAAAAAAA|red/);
    expect(error.message.length).toBeLessThan(200);
  });

  it('an alias not found lists at most 20 aliases of the file, each cut to 64 characters', () => {
    const entries = Array.from({ length: 500 }, (_, i) => ({ type: 'trusted-cert' as const, alias: `${i}-${HOSTILE}`, certificate: new Uint8Array(0) }));
    const store = { format: 'PKCS12', entries } as unknown as Keystore;
    let error: Error | undefined;
    try {
      getEntry(store, 'missing');
    } catch (caught) {
      error = caught as Error;
    }
    expect(error).toMatchObject({ code: 'ERR_ALIAS_NOT_FOUND' });
    expect(error!.message).toContain('and 480 more');
    expect(error!.message).not.toContain('A'.repeat(100));
    expect(error!.message.length).toBeLessThan(2500);
  });
});
