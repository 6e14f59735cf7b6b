import { describe, expect, it } from 'vitest';
import type { PrivateKeyEntry } from '../../src/keystore/model.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';
import { fixture, FIXTURE_PASSWORD } from '../helpers/fixtures.js';

describe('reading certificates only (what an audit needs)', () => {
  it.each(['gateway.p12', 'gateway-legacy.p12', 'gateway.jks', 'gateway.jceks'])('%s: integrity checked, certificates read, keys left sealed', async (name) => {
    const full = await readKeystore(fixture(name), { password: FIXTURE_PASSWORD });
    const certs = await readKeystore(fixture(name), { password: FIXTURE_PASSWORD, certificatesOnly: true });
    expect(certs.integrityChecked).toBe(true);
    const key = certs.entries.find((e) => e.alias === 'server1') as PrivateKeyEntry;
    expect(key.key).toBeUndefined();
    expect(key.sealed?.reason).toBe('no-password');
    expect(key.chain).toEqual((full.entries.find((e) => e.alias === 'server1') as PrivateKeyEntry).chain);
    expect(certs.entries.map((e) => `${e.alias}:${e.type}`).sort()).toEqual(full.entries.map((e) => `${e.alias}:${e.type}`).sort());
  });

  it('still refuses a wrong store password', async () => {
    await expect(readKeystore(fixture('gateway.jceks'), { password: 'wrong', certificatesOnly: true })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
  });
});
