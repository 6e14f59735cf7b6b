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
