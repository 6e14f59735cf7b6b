import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { emptyKeystore, type Keystore, type KeystoreFormat } from '../../src/keystore/model.js';
import { writeKeystore } from '../../src/keystore/write_keystore.js';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir('hapki-trust-cli-');
const env = { STOREPASS: 'changeit' };
const PASS = ['--storepass', 'env:STOREPASS'];
const EC = { kty: 'ec', curve: 'P-256' } as const;

async function keystore(file: string, format: KeystoreFormat, aliases: string[]): Promise<string> {
  let store: Keystore = emptyKeystore(format);
  for (const alias of aliases) store = (await requestWithNewKey(store, { alias, subject: `CN=${alias}.example.com`, key: EC })).store;
  const path = join(dir, file);
  writeFileSync(path, await writeKeystore(store, { password: 'changeit' }));
  return path;
}

let master: string;
let slave: string;
let twoKeys: string;

beforeAll(async () => {
  master = await keystore('master.p12', 'PKCS12', ['master']);
  slave = await keystore('slave.jks', 'JKS', ['slave']);
  twoKeys = await keystore('two.p12', 'PKCS12', ['node-a', 'node-b']);
});

describe('hapki trust mesh', () => {
  it('names the trust stores after the keystores, in --help too', async () => {
    const help = await hapki(['trust', 'mesh', '--help']);
    expect(help.stdout).toContain('-truststore.<p12|jks|jceks|pem>');
    expect(help.stdout).toMatch(/Examples:[\s\S]*Exit codes:/);
    const out = join(dir, 'pem');
    const r = await hapki(['trust', 'mesh', '--master', master, '--slave', slave, '--out-dir', out, '--out-format', 'pem', ...PASS], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^master\.p12 trusts: slave\.jks \(CN=slave\.example\.com\)\n {2}.*master-truststore\.pem: 1 added\n {2}\+ slave\.example\.com {2}CN=slave\.example\.com {2}sha256 [0-9a-f]{64}\nslave\.jks trusts: master\.p12 \(CN=master\.example\.com\)\n/);
    const list = await hapki(['list', join(out, 'slave-truststore.pem'), '--json']);
    expect(JSON.parse(list.stdout).entries.map((e: { alias: string; type: string }) => [e.alias, e.type])).toEqual([['master.example.com', 'trusted-cert']]);
  });

  it('refuses CA mode for self-signed nodes: ERR_MESH_NO_CA, and writes nothing', async () => {
    const out = join(dir, 'ca');
    const r = await hapki(['trust', 'mesh', '--mode', 'ca', '--master', master, '--slave', slave, '--out-dir', out, ...PASS], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_MESH_NO_CA'));
    expect(r.stderr).toContain('--mode direct');
  });

  it('asks which key entry when a keystore holds several, and takes <keystore>#<alias>', async () => {
    const out = join(dir, 'two');
    const r = await hapki(['trust', 'mesh', '--master', twoKeys, '--slave', slave, '--out-dir', out, ...PASS], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
    expect(r.stderr).toContain('(node-a, node-b)');
    const ok = await hapki(['trust', 'mesh', '--master', `${twoKeys}#node-b`, '--slave', slave, '--out-dir', out, ...PASS], { env });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('slave.jks trusts: two.p12 (CN=node-b.example.com)');
  });

  it('usage errors exit 2', async () => {
    expect((await hapki(['trust', 'mesh', '--master', master, '--slave', slave, '--out-dir', dir, '--mode', 'star', ...PASS], { env })).code).toBe(2);
    expect((await hapki(['trust', 'mesh', '--master', master, '--slave', slave, '--out-dir', dir, '--out-format', 'der', ...PASS], { env })).code).toBe(2);
    expect((await hapki(['trust', 'check', '--master', master, '--slave', slave, ...PASS], { env })).code).toBe(2);
  });
});

describe('hapki trust check', () => {
  it('reports a missing trust store as ERR_FILE_NOT_FOUND', async () => {
    const r = await hapki(['trust', 'check', '--master', master, '--slave', slave, '--trust-dir', join(dir, 'nowhere'), ...PASS], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_FILE_NOT_FOUND'));
  });

  it('checks trust stores named per node, and judges them at --at', async () => {
    const out = join(dir, 'pem');
    const stores = ['--trust-store-for', `master.p12=${join(out, 'master-truststore.pem')}`, '--trust-store-for', `${slave}=${join(out, 'slave-truststore.pem')}`];
    const now = await hapki(['trust', 'check', '--master', master, '--slave', slave, ...stores, ...PASS], { env });
    expect(now.stdout).toBe('PASS master.p12 -> slave.jks\nPASS slave.jks -> master.p12\n');
    const later = await hapki(['trust', 'check', '--master', master, '--slave', slave, ...stores, ...PASS, '--at', '2099-01-01'], { env });
    expect(later.code).toBe(1);
    expect(later.stdout).toMatch(/^FAIL master\.p12 -> slave\.jks: .+ \(ERR_CHAIN_EXPIRED\)\nFAIL slave\.jks -> master\.p12: .+ \(ERR_CHAIN_EXPIRED\)\n$/);
    expect(later.stderr).toMatch(ONE_LINE_ERROR('ERR_TRUST_CHECK_FAILED'));
  });
});

describe('trust check --timeout', () => {
  it('belongs to --live, and takes a duration', async () => {
    const notLive = await hapki(['trust', 'check', '--master', 'a.p12', '--slave', 'b.p12', '--trust-dir', 'trust', '--timeout', '1s']);
    expect(notLive.code).toBe(2);
    expect(notLive.stderr).toMatch(/--timeout applies to --live only \(ERR_USAGE\)\n$/);
    const bad = await hapki(['trust', 'check', '--live', '--cluster', 'cluster.yaml', '--timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
  });
});
