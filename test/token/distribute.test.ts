import { readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/crypto/digest.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import type { KeystoreFormat } from '../../src/keystore/model.js';
import { distributeToken, planTokenDistribution, type TokenInstance } from '../../src/token/distribute_token.js';
import { localTokenFiles, type TokenFileLayer } from '../../src/token/instance_files.js';
import { tokenState } from '../../src/token/token_state.js';
import type { TokenMaterial } from '../../src/token/token_material.js';
import { tempDir } from '../helpers/tools.js';
import { instanceStore, tokenMaterial } from './fixtures.js';

const root = tempDir('hapki-token-lib-');
const FORMATS: [string, KeystoreFormat][] = [['n1.jks', 'JKS'], ['n2.p12', 'PKCS12'], ['n3.jceks', 'JCEKS']];
let dir: string;
let instances: TokenInstance[];
let token: TokenMaterial;
let round = 0;

beforeEach(async () => {
  dir = join(root, `r${round++}`);
  (await import('node:fs')).mkdirSync(dir);
  token ??= await tokenMaterial();
  instances = [];
  for (const [file, format] of FORMATS) {
    const path = join(dir, file);
    writeFileSync(path, await writeKeystore(await instanceStore(format, file), { password: 'changeit' }), { mode: 0o640 });
    instances.push({ name: file, path, password: 'changeit' });
  }
});

const snapshot = (): Record<string, string> => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, sha256Hex(readFileSync(join(dir, f)))]));

/** The local file layer, with one operation failing for one file. */
function failing(op: keyof TokenFileLayer, file: string, times = 1): TokenFileLayer {
  const real = localTokenFiles();
  let left = times;
  const wrap = <T extends unknown[]>(name: keyof TokenFileLayer, f: (path: string, ...rest: T) => Promise<unknown>) =>
    async (path: string, ...rest: T) => {
      if (name === op && path.endsWith(file) && left-- > 0) throw Object.assign(new Error(`injected ${op} failure`), { code: 'EIO' });
      return f(path, ...rest);
    };
  return {
    read: wrap('read', real.read) as TokenFileLayer['read'],
    assertWritable: wrap('assertWritable', real.assertWritable) as TokenFileLayer['assertWritable'],
    backup: wrap('backup', real.backup) as TokenFileLayer['backup'],
    write: wrap('write', real.write) as TokenFileLayer['write'],
    restore: real.restore,
  };
}

describe('distributeToken', () => {
  it('writes the same key and chain into every instance, keeping the other entries, the file mode and a .bak', async () => {
    const plan = await planTokenDistribution(instances, { alias: 'token', material: token });
    const result = await distributeToken(plan);
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['written', 'written', 'written']);
    for (const i of instances) {
      const store = await readKeystore(readFileSync(i.path), { password: 'changeit' });
      expect(store.entries.map((e) => e.alias)).toEqual(['ssl', 'token']);
      expect(tokenState(store, 'token').key).toMatchObject({ sha256: sha256Hex(token.chain[0]!), keyMatches: true });
      expect(statSync(i.path).mode & 0o777).toBe(0o640);
      expect(readdirSync(dir)).toContain(`${i.name}.bak`);
    }
    const again = await distributeToken(await planTokenDistribution(instances, { alias: 'token', material: token }));
    expect(again.outcomes.map((o) => o.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('restores the instances already written, byte for byte, when the third write fails', async () => {
    const before = snapshot();
    const files = failing('write', 'n3.jceks');
    const plan = await planTokenDistribution(instances, { alias: 'token', material: token }, files);
    const error = await distributeToken(plan, files).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TOKEN_DISTRIBUTE_FAILED', phase: 'write', failures: [{ instance: 'n3.jceks', code: 'ERR_INTERNAL' }], restoreFailed: [] });
    expect((error as Error).message).toContain('every instance written was restored');
    const after = snapshot();
    for (const [file] of FORMATS) expect(after[file], file).toBe(before[file]);
    for (const i of instances) expect(statSync(i.path).mode & 0o777).toBe(0o640);
  });

  it('restores everything when a read-back does not find what was written', async () => {
    const before = snapshot();
    const real = localTokenFiles();
    const plan = await planTokenDistribution(instances, { alias: 'token', material: token });
    // the second instance's write "succeeds" but leaves the old file in place
    const files: TokenFileLayer = { ...real, write: async (path, bytes) => (path.endsWith('n2.p12') ? undefined : real.write(path, bytes)) };
    await expect(distributeToken(plan, files)).rejects.toMatchObject({ code: 'ERR_TOKEN_DISTRIBUTE_FAILED', failures: [{ instance: 'n2.p12', code: 'ERR_TOKEN_DISTRIBUTE_FAILED', message: expect.stringContaining('read back differs') }] });
    const after = snapshot();
    for (const [file] of FORMATS) expect(after[file], file).toBe(before[file]);
  });

  it('says which instance could not be restored', async () => {
    const real = localTokenFiles();
    const plan = await planTokenDistribution(instances, { alias: 'token', material: token });
    const files: TokenFileLayer = { ...failing('write', 'n3.jceks'), restore: async (path, bytes) => (path.endsWith('n1.jks') ? Promise.reject(new Error('disk gone')) : real.restore(path, bytes)) };
    await expect(distributeToken(plan, files)).rejects.toMatchObject({ restoreFailed: ['n1.jks'], message: expect.stringContaining('RESTORE FAILED for n1.jks') });
  });

  it('fails before writing anything on a wrong password or an unwritable instance, naming each', async () => {
    const before = snapshot();
    const wrong = instances.map((i, n) => (n === 2 ? { ...i, password: 'wrong' } : i));
    await expect(planTokenDistribution(wrong, { alias: 'token', material: token })).rejects.toMatchObject({
      code: 'ERR_TOKEN_DISTRIBUTE_FAILED',
      phase: 'prepare',
      failures: [{ instance: 'n3.jceks', code: 'ERR_KEYSTORE_PASSWORD' }],
      message: expect.stringContaining('nothing was written'),
    });
    await expect(planTokenDistribution(instances, { alias: 'token', material: token }, failing('assertWritable', 'n2.p12'))).rejects.toMatchObject({ failures: [{ instance: 'n2.p12' }] });
    await expect(planTokenDistribution([...instances, { name: 'gone', path: join(dir, 'gone.jks'), password: 'x' }], { alias: 'token', material: token })).rejects.toMatchObject({ failures: [{ instance: 'gone', code: 'ERR_FILE_NOT_FOUND' }] });
    expect(snapshot()).toEqual(before);
  });

  it('refuses an instance named twice, and a retire before every instance is activated', async () => {
    await expect(planTokenDistribution([instances[0]!, { ...instances[0]!, name: 'again' }], { alias: 'token', material: token })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const link = join(dir, 'link.jks');
    symlinkSync(instances[0]!.path, link);
    await expect(planTokenDistribution([instances[0]!, { ...instances[0]!, name: 'link', path: link }], { alias: 'token', material: token })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await distributeToken(await planTokenDistribution(instances.slice(0, 2), { alias: 'token', material: token }));
    await expect(planTokenDistribution(instances, { alias: 'token', step: 'retire' })).rejects.toMatchObject({ failures: [{ instance: 'n3.jceks', code: 'ERR_TOKEN_DRIFT' }] });
  });
});
