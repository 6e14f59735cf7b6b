import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { emptyKeystore, type KeystoreFormat } from '../../src/keystore/model.js';
import { readKeystore } from '../../src/keystore/read_keystore.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { openssl, tempDir } from '../helpers/tools.js';

const dir = tempDir('hapki-token-cli-');
const env = { STOREPASS: 'changeit', CAPASS: 'capass', TOKENPASS: 'tokenpass' };

async function instance(file: string, format: KeystoreFormat): Promise<string> {
  const store = (await requestWithNewKey(emptyKeystore(format), { alias: 'ssl', subject: `CN=${file}`, key: { kty: 'ec', curve: 'P-256' } })).store;
  const path = join(dir, file);
  writeFileSync(path, await writeKeystore(store, { password: 'changeit' }));
  return path;
}

beforeAll(async () => {
  const ca = await hapki(['ca', 'init', '--subject', 'CN=Example Token CA', '--kty', 'ec', '--out', join(dir, 'ca.p12'), '--outpass', 'env:CAPASS'], { env });
  expect(ca.code, ca.stderr).toBe(0);
  await instance('gw1.jks', 'JKS');
  await instance('gw2.pem', 'PEM');
});

describe('hapki token issue', () => {
  it('issues under a CA with the token key usages, and shows examples and exit codes in --help', async () => {
    const help = await hapki(['token', 'issue', '--help']);
    expect(help.stdout).toMatch(/Examples:[\s\S]*Exit codes:/);
    const out = join(dir, 'token.p12');
    const r = await hapki(['token', 'issue', '--ca', join(dir, 'ca.p12'), '--ca-storepass', 'env:CAPASS', '--subject', 'CN=msas-token,O=Example', '--bits', '2048', '--days', '365', '--out', out, '--outpass', 'env:TOKENPASS'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^subject: {2}CN=msas-token, O=Example\n/);
    const store = await readKeystore(readFileSync(out), { password: 'tokenpass' });
    expect(store.entries.map((e) => [e.alias, e.type, e.type === 'private-key' ? e.chain.length : 0])).toEqual([['token', 'private-key', 2]]);
    const pem = join(dir, 'token.pem');
    const entry = store.entries[0]!;
    writeFileSync(pem, `-----BEGIN CERTIFICATE-----\n${Buffer.from(entry.type === 'private-key' ? entry.chain[0]! : new Uint8Array()).toString('base64')}\n-----END CERTIFICATE-----\n`);
    const text = (await openssl(['x509', '-in', pem, '-noout', '-text'])).stdout;
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment, Data Encipherment/);
    expect(text).toContain('Issuer: CN = Example Token CA');
  });

  it('warns that an EC token key cannot encipher', async () => {
    const r = await hapki(['token', 'issue', '--self-signed', '--subject', 'CN=ec-token', '--kty', 'ec', '--out', join(dir, 'ec-token.p12'), '--outpass', 'env:TOKENPASS'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('cannot encipher');
  });

  it('takes an existing key and certificate with --from, and refuses to mix the ways of making a token', async () => {
    const out = join(dir, 'from.p12');
    const r = await hapki(['token', 'issue', '--from', `${join(dir, 'gw1.jks')}#ssl`, '--from-storepass', 'env:STOREPASS', '--out', out, '--outpass', 'env:TOKENPASS'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('subject:  CN=gw1.jks');
    const both = await hapki(['token', 'issue', '--self-signed', '--from', join(dir, 'gw1.jks'), '--out', join(dir, 'x.p12')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
  });
});

describe('hapki token distribute and check', () => {
  it('distributes to JKS and PEM instances named in an --instances file, then checks them', async () => {
    writeFileSync(join(dir, 'cluster.txt'), 'gw1.jks env:STOREPASS\n# the PEM one\ngw2.pem env:STOREPASS\n');
    const args = ['--instances', join(dir, 'cluster.txt')];
    const r = await hapki(['token', 'distribute', join(dir, 'token.p12'), '--storepass', 'env:TOKENPASS', ...args], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/gw2\.pem \(PEM\): token added/);
    const pem = await readKeystore(readFileSync(join(dir, 'gw2.pem')), { password: 'changeit' });
    expect(pem.entries.map((e) => e.alias)).toEqual(['ssl', 'token']);
    const c = await hapki(['token', 'check', ...args], { env });
    expect(c.code, c.stdout).toBe(0);
    expect(c.stdout).toMatch(/^gw1\.jks +ok /m);
  });

  it('reports an instance that is missing the token, and one it cannot read', async () => {
    const fresh = await instance('gw3.jceks', 'JCEKS');
    const r = await hapki(['token', 'check', '--to', join(dir, 'gw1.jks'), '--to', fresh, '--to', join(dir, 'nope.jks')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_TOKEN_DRIFT'));
    expect(r.stdout).toMatch(/^gw3\.jceks +missing /m);
    expect(r.stdout).toMatch(/^nope\.jks: unreadable: .*\(ERR_FILE_NOT_FOUND\)$/m);
  });

  it('refuses usage mistakes with exit 2', async () => {
    for (const args of [
      ['token', 'distribute', join(dir, 'token.p12')],
      ['token', 'distribute', '--to', join(dir, 'gw1.jks')],
      ['token', 'distribute', join(dir, 'token.p12'), '--to', join(dir, 'gw1.jks'), '--stage', '--activate'],
      ['token', 'check', '--to', join(dir, 'gw1.jks'), '--storepass-for', 'nothing'],
    ]) {
      const r = await hapki(args, { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    }
  });

  it('points at the line of a malformed instance list', async () => {
    writeFileSync(join(dir, 'bad.txt'), 'gw1.jks env:A env:B\n');
    const r = await hapki(['token', 'check', '--instances', join(dir, 'bad.txt')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
    expect(r.stderr).toContain('line 1');
  });
});
