import { beforeAll, describe, expect, it } from 'vitest';
import { readDer } from '../../../src/asn1/der_reader.js';
import { OID } from '../../../src/asn1/oids.js';
import { readPkcs12 } from '../../../src/keystore/pkcs12/read.js';
import { writePkcs12 } from '../../../src/keystore/pkcs12/write.js';
import { tempDir } from '../../helpers/tools.js';
import { authSafeOf, makeMaterial, storeOf, type Material } from './pfx_builder.js';

const dir = tempDir();
let m: Material;

beforeAll(async () => {
  m = await makeMaterial(dir);
});

describe('writePkcs12', () => {
  it('round-trips every entry type, in order, modern and legacy', async () => {
    const entries = storeOf([
      { type: 'private-key', alias: 'leaf', key: m.leafKey, chain: [m.leafSignedByCa, m.caCert] },
      { type: 'trusted-cert', alias: 'ca', certificate: m.caCert },
      { type: 'secret-key', alias: 'hmac', algorithm: 'HmacSHA256', key: new Uint8Array(32).fill(9) },
      { type: 'secret-key', alias: 'des', algorithm: 'desede', key: new Uint8Array(24).fill(1) },
      { type: 'private-key', alias: 'ключ', key: m.pkcs8, chain: [m.cert] },
    ]).entries;
    for (const legacy of [false, true]) {
      const store = await readPkcs12(await writePkcs12(storeOf(entries), { password: 'pw', legacy, iterations: 5 }), { password: 'pw' });
      expect(store.integrityChecked).toBe(true);
      expect(store.warnings).toEqual([]);
      // Keys and certificates live in separate ContentInfos, so only the set of entries survives, not their order.
      const sorted = <T extends { alias: string }>(list: T[]): T[] => [...list].sort((a, b) => a.alias.localeCompare(b.alias));
      // every key entry comes back dated (its localKeyId is the JDK's "Time <ms>"); the dates are compared below
      for (const e of store.entries) expect(e.type === 'trusted-cert' || e.created instanceof Date, e.alias).toBe(true);
      const undated = store.entries.map((e) => {
        const { created: _created, ...rest } = e;
        return rest;
      });
      expect(sorted(undated)).toEqual(sorted(entries.map((e) => (e.type === 'secret-key' && e.alias === 'des' ? { ...e, algorithm: 'DESede' } : e))));
    }
  });

  it('uses the iteration count given, for the MAC and the encryption', async () => {
    const bytes = await writePkcs12(storeOf([{ type: 'trusted-cert', alias: 'ca', certificate: m.caCert }]), { password: 'pw', iterations: 777 });
    const pfx = readDer(bytes, 'pfx');
    expect(pfx.child(2).child(2).integer('iterations')).toBe(777);
    expect(pfx.child(2).child(0).child(0).child(0).oid()).toBe(OID.sha256);
    const scheme = readDer(authSafeOf(bytes), 'a').child(0).child(1).child(0).child(1).child(1);
    expect(scheme.child(0).oid()).toBe(OID.pbes2);
    expect(scheme.child(1).child(0).child(1).child(1).integer('iterations')).toBe(777);
  });

  it('writes the creation date as the JDK does, in the localKeyId', async () => {
    const created = new Date('2024-05-06T07:08:09.010Z');
    const bytes = await writePkcs12(storeOf([{ type: 'private-key', alias: 'a', key: m.pkcs8, chain: [m.cert], created }]), { password: 'pw' });
    const { stdout } = await import('../../helpers/tools.js').then(async ({ openssl }) => {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${dir}/created.p12`, bytes);
      return openssl(['pkcs12', '-in', `${dir}/created.p12`, '-nokeys', '-passin', 'pass:pw']);
    });
    expect(stdout).toContain(`localKeyID: ${Buffer.from(`Time ${created.getTime()}`).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ')}`);
    // and reads it back, so that a rewrite keeps it
    expect((await readPkcs12(bytes, { password: 'pw' })).entries[0]?.created).toEqual(created);
  });

  it('writes an empty store that reads back empty', async () => {
    const store = await readPkcs12(await writePkcs12(storeOf([]), { password: 'pw' }), { password: 'pw' });
    expect(store.entries).toEqual([]);
  });

  it('refuses a key sealed by another format, naming the alias', async () => {
    const sealed = storeOf([{ type: 'private-key', alias: 'locked', chain: [m.cert], sealed: { format: 'JKS', data: new Uint8Array(4), reason: 'no-password' } }]);
    await expect(writePkcs12(sealed, { password: 'pw' })).rejects.toMatchObject({ code: 'ERR_KEY_LOCKED', alias: 'locked' });
  });

  it('refuses a secret key whose algorithm has no OID', async () => {
    const store = storeOf([{ type: 'secret-key', alias: 's', algorithm: 'Serpent', key: new Uint8Array(16) }]);
    await expect(writePkcs12(store, { password: 'pw' })).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM', algorithm: 'Serpent' });
  });
});
