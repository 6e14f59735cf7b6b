import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Keystore } from '../../src/keystore/model.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { installToken } from '../../src/token/rotation.js';
import { hapki } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';
import { instanceStore, tokenMaterial } from '../token/fixtures.js';

const dir = tempDir();

describe('token check and a token key under its own password', () => {
  it('says the key was not checked without --keypass-for, and finds the wrong key with it', async () => {
    const token = await tokenMaterial();
    const impostor = await tokenMaterial('CN=impostor');
    const good = installToken(await instanceStore('JKS', 'a'), token, 'token').store;
    // the right certificate over another key, sealed under a key password of its own
    const forged: Keystore = installToken(await instanceStore('JKS', 'b'), token, 'token').store;
    forged.entries = forged.entries.map((e) => (e.alias === 'token' && e.type === 'private-key' ? { ...e, key: impostor.key, password: 'tokpw' } : e));
    writeFileSync(join(dir, 'a.jks'), await writeKeystore(good, { password: 'changeit' }));
    writeFileSync(join(dir, 'b.jks'), await writeKeystore(forged, { password: 'changeit' }));
    const env = { P: 'changeit', K: 'tokpw' };
    const base = ['token', 'check', '--to', join(dir, 'a.jks'), '--to', join(dir, 'b.jks'), '--to-storepass', 'env:P'];

    const unchecked = await hapki(base, { env });
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toMatch(/key not opened, so not checked against its certificate .*: b\.jks/);

    const checked = await hapki([...base, '--keypass-for', `${join(dir, 'b.jks')}=env:K`], { env });
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/b\.jks: the private key of "token" does not belong to its certificate/);
    expect(checked.stderr).toMatch(/\(ERR_TOKEN_DRIFT\)\n$/);
  });
});
