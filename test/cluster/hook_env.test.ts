import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { passwordVariables } from '../../src/cluster/rollout.js';
import { hapki } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';

describe('apply: the commands it runs locally are not handed the cluster\'s passwords', () => {
  // regression: before:, after: and a local restart: inherited hapki's whole environment, the
  // variables the cluster file reads its keystore passwords from (env:) included
  it('before: and a local restart: run without the env: password variables, with HAPKI_NODE and the rest of the environment', async () => {
    const dir = tempDir();
    const lab = join(dir, 'lab');
    expect((await hapki(['lab', lab])).code).toBe(0);
    const file = join(lab, 'cluster.yaml');
    const password = readFileSync(join(lab, 'secrets', 'gateway.pass'), 'utf8').trim();
    const text = readFileSync(file, 'utf8');
    const changed = text
      .replace('password: file:secrets/gateway.pass', 'password: env:GW_STOREPASS')
      .replace(/(alias: server\n)/, `$1      before: "env > ${join(dir, 'before.env')}"\n      restart: "env > ${join(dir, 'restart.env')}"\n`);
    expect(changed).not.toBe(text);
    writeFileSync(file, changed, { mode: 0o600 });
    const r = await hapki(['apply', file], { env: { GW_STOREPASS: password, UNRELATED_VAR: 'kept' } });
    expect(r.code, r.stderr).toBe(0);
    for (const name of ['before.env', 'restart.env']) {
      const env = readFileSync(join(dir, name), 'utf8');
      expect(env).not.toContain('GW_STOREPASS');
      expect(env).not.toContain(password);
      expect(env).toContain('UNRELATED_VAR=kept');
    }
    expect(readFileSync(join(dir, 'before.env'), 'utf8')).toContain('HAPKI_NODE=msas1');
  });

  it('passwordVariables finds every env: source of a cluster, wherever it is', () => {
    const cluster = { ca: { password: { kind: 'env', name: 'CA' } }, gateway: { instances: [{ password: { kind: 'file', path: '/p' }, keyPassword: { kind: 'env', name: 'KEY' } }] }, ssh: { identityPassword: { kind: 'env', name: 'ID' } } };
    expect([...passwordVariables(cluster)].sort()).toEqual(['CA', 'ID', 'KEY']);
  });
});
