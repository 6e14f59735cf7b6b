import { mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

const snapshot = (): Record<string, string> => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, statSync(join(dir, f)).isDirectory() ? 'dir' : sha256Hex(readFileSync(join(dir, f)))]));

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

  it('writes no instance when the third cannot be staged (a directory where its backup goes), and leaves no temp file', async () => {
    mkdirSync(join(dir, 'n3.jceks.bak'));
    const before = snapshot();
    const plan = await planTokenDistribution(instances.map((i) => i), { alias: 'token', material: token }, { ...localTokenFiles(), assertWritable: async () => undefined });
    const error = await distributeToken(plan).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_UNSAFE_PATH', message: expect.stringContaining('n3.jceks.bak') });
    expect(snapshot()).toEqual(before);
    for (const i of instances) expect(statSync(i.path).mode & 0o777).toBe(0o640);
  });

  it('refuses to write over an instance changed since it was read (ERR_CONCURRENT_CHANGE), writing none', async () => {
    const plan = await planTokenDistribution(instances, { alias: 'token', material: token });
    const other = await writeKeystore(await instanceStore('PKCS12', 'n2.p12'), { password: 'changeit' });
    writeFileSync(instances[1]!.path, other);
    const before = snapshot();
    await expect(distributeToken(plan)).rejects.toMatchObject({ code: 'ERR_TOKEN_DISTRIBUTE_FAILED', failures: [{ instance: 'n2.p12', code: 'ERR_CONCURRENT_CHANGE' }] });
    expect(snapshot()).toEqual(before);
  });

  it('says when an instance does not read back as planned after the commit', async () => {
    const plan = await planTokenDistribution(instances, { alias: 'token', material: token });
    const real = localTokenFiles();
    // a reader that finds the old file (as if another program had put it back)
    const files: TokenFileLayer = { ...real, read: async (path) => (path.endsWith('n2.p12') ? plan.instances[1]!.original : real.read(path)) };
    await expect(distributeToken(plan, files)).rejects.toMatchObject({ code: 'ERR_TOKEN_DISTRIBUTE_FAILED', phase: 'verify', failures: [{ instance: 'n2.p12', message: expect.stringContaining('read back differs') }] });
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
