import { describe, expect, it } from 'vitest';

describe('the package entry point', () => {
  it('has named exports only, covering the codecs, the model helpers and the file layer', async () => {
    const api = (await import('../dist/index.js')) as Record<string, unknown>;
    expect(api['default']).toBeUndefined();
    for (const name of [
      'readKeystore',
      'writeKeystore',
      'detectFormat',
      'readPkcs12',
      'writePkcs12',
      'readJks',
      'writeJks',
      'readJceks',
      'writeJceks',
      'readPem',
      'writePem',
      'convertKeystore',
      'exportEntry',
      'openKeystore',
      'saveKeystore',
      'updateKeystore',
      'commitChangeSet',
      'configureWritePath',
      'recoverTree',
      'HapkiError',
    ]) {
      expect(typeof api[name], name).toBe('function');
    }
  });
});

describe('readKeystoreEntries from the package entry point', () => {
  it('gives the entries readKeystore gives, one at a time, for every format', async () => {
    const api = await import('../dist/index.js');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { FIXTURES, FIXTURE_PASSWORD } = await import('./helpers/fixtures.js');
    for (const name of ['gateway.jks', 'gateway.jceks', 'gateway.p12', 'gateway.pem']) {
      const bytes = readFileSync(join(FIXTURES, name));
      const whole = await api.readKeystore(bytes, { password: FIXTURE_PASSWORD });
      const stream = await api.readKeystoreEntries(bytes, { password: FIXTURE_PASSWORD });
      expect(stream.format, name).toBe(whole.format);
      expect(stream.count, name).toBe(whole.entries.length);
      const entries = [...stream.entries];
      expect(entries.map((e) => [e.alias, e.type]), name).toEqual(whole.entries.map((e) => [e.alias, e.type]));
    }
    // the whole file is checked before the first entry: a wrong password fails the call itself
    await expect(api.readKeystoreEntries(readFileSync(join(FIXTURES, 'gateway.jks')), { password: 'wrong' })).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_/) });
  });
});
