import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Keystore } from '../../src/keystore/model.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { issueTokenCertificate } from '../../src/token/issue_token.js';
import { installToken, stageToken } from '../../src/token/rotation.js';
import type { TokenMaterial } from '../../src/token/token_material.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';
import { instanceStore, tokenMaterial } from '../token/fixtures.js';

// `token check` and `audit --token-group` judge the same stores alike: each drift token check
// names, audit's token-drift finding names on the same instances, and both fail.

const dir = tempDir('hapki-token-agree-');
const env = { STOREPASS: 'changeit' };
let token: TokenMaterial;
let other: TokenMaterial;
let expired: TokenMaterial;
let base: Keystore;

beforeAll(async () => {
  [token, other, base] = await Promise.all([tokenMaterial('CN=token'), tokenMaterial('CN=token'), instanceStore('PKCS12', 'node')]);
  const old = await issueTokenCertificate({ subject: 'CN=token', key: { kty: 'ec', curve: 'P-256' }, now: new Date(Date.now() - 400 * 86_400_000), days: 30 });
  expired = { key: old.entry.key!, chain: old.entry.chain };
});

async function group(name: string, stores: Keystore[]): Promise<string[]> {
  return Promise.all(
    stores.map(async (store, i) => {
      const path = join(dir, `${name}-${i + 1}.p12`);
      writeFileSync(path, await writeKeystore(store, { password: 'changeit' }));
      return path;
    }),
  );
}

async function bothJudge(paths: string[]): Promise<{ check: string[]; audit: string }> {
  const check = await hapki(['token', 'check', ...paths.flatMap((p) => ['--to', p]), '--to-storepass', 'env:STOREPASS', '--json'], { env });
  expect(check.code).toBe(1);
  expect(check.stderr).toMatch(ONE_LINE_ERROR('ERR_TOKEN_DRIFT'));
  const report = JSON.parse(check.stdout) as { instances: { name: string; problems: string[] }[] };
  const audit = await hapki(['audit', ...paths, '--token-group', `token=${paths.join(',')}`, '--storepass', 'env:STOREPASS', '--json'], { env });
  const findings = (JSON.parse(audit.stdout) as { findings: { check: string; message: string }[] }).findings.filter((f) => f.check === 'token-drift');
  expect(audit.code).toBe(2);
  expect(findings).toHaveLength(1);
  return { check: report.instances.filter((i) => i.problems.length > 0).map((i) => i.name), audit: findings[0]!.message };
}

const named = (message: string, paths: string[]): string[] => paths.map((p) => p.split('/').pop()!).filter((n) => message.includes(`${n}: `));

describe('token check and audit --token-group agree', () => {
  it('on a different key under the same alias', async () => {
    const paths = await group('key', [installToken(base, token, 'token').store, installToken(base, token, 'token').store, installToken(base, other, 'token').store]);
    const { check, audit } = await bothJudge(paths);
    expect(check).toEqual(['key-3.p12']);
    expect(named(audit, paths)).toEqual(check);
  });

  it('on a stale staged entry', async () => {
    const good = installToken(base, token, 'token').store;
    const leftover = stageToken(installToken(base, other, 'token').store, token.chain[0]!, 'token').store;
    const paths = await group('stale', [good, good, installToken(leftover, token, 'token').store]);
    const { check, audit } = await bothJudge(paths);
    expect(check).toEqual(['stale-3.p12']);
    expect(named(audit, paths)).toEqual(check);
    expect(audit).toContain('"token-next" is stale');
  });

  it('on a token that has expired everywhere, identical as it is', async () => {
    const one = installToken(base, expired, 'token').store;
    const paths = await group('expired', [one, one, one]);
    const { check, audit } = await bothJudge(paths);
    expect(check).toEqual(['expired-1.p12', 'expired-2.p12', 'expired-3.p12']);
    expect(named(audit, paths)).toEqual(check);
    expect(audit).toMatch(/expired on/);
  });
});
