import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { opensslFingerprint } from '../helpers/keys.js';
import { OpensslCa } from '../helpers/openssl_ca.js';
import { openssl, tempDir } from '../helpers/tools.js';

const dir = tempDir('hapki-cli-verify-');
const env = { STOREPASS: 'changeit' };
const run = (args: string[]) => hapki(['verify', ...args], { env, cwd: dir });

const ca = new OpensslCa(dir);
const make = (name: string, section: string, issuer?: string): Promise<void> => (issuer ? ca.issued(name, section, issuer) : ca.root(name, section));

beforeAll(async () => {
  await make('root', 'ca');
  await make('ica', 'ca', 'root');
  await make('server', 'server', 'ica');
  writeFileSync(join(dir, 'chain.pem'), ['server', 'ica'].map((n) => readFileSync(join(dir, `${n}.pem`), 'utf8')).join(''));
  await openssl(['pkcs12', '-export', '-in', join(dir, 'chain.pem'), '-inkey', join(dir, 'server.key'), '-name', 'gw', '-out', join(dir, 'server.p12'), '-passout', 'pass:changeit']);
  await openssl(['pkcs12', '-export', '-nokeys', '-in', join(dir, 'root.pem'), '-out', join(dir, 'trust.p12'), '-passout', 'pass:changeit']);
});

describe('hapki verify', () => {
  it('prints OK and the chain for a valid certificate file (leaf, then its intermediates)', async () => {
    const r = await run(['chain.pem', '--trust', 'root.pem', '--hostname', 'gw.example.com', '--purpose', 'server']);
    expect(r).toEqual({ code: 0, stdout: 'OK: CN=server (chain: CN=server -> CN=ica -> CN=root)\n', stderr: '' });
  });

  it('verifies a keystore entry against a PKCS#12 trust store', async () => {
    const r = await run(['server.p12#gw', '--storepass', 'env:STOREPASS', '--trust', 'trust.p12', '--trustpass', 'env:STOREPASS']);
    expect(r.stdout).toBe('OK: CN=server (chain: CN=server -> CN=ica -> CN=root)\n');
    expect(r.code).toBe(0);
    const byDefault = await run(['server.p12', '--storepass', 'env:STOREPASS', '--trust', 'root.pem']);
    expect(byDefault.code).toBe(0);
  });

  it('exits 1 with the code on stdout and the standard one line on stderr', async () => {
    const r = await run(['chain.pem', '--trust', 'root.pem', '--hostname', 'other.example.com']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL: certificate "CN=server" is not for host "other.example.com" \(its names: DNS:gw.example.com, IP:10.0.0.5\) \(ERR_HOSTNAME_MISMATCH\)\n$/);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_HOSTNAME_MISMATCH'));
    const late = await run(['chain.pem', '--trust', 'root.pem', '--at', '2099-01-01']);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(ONE_LINE_ERROR('ERR_CHAIN_EXPIRED'));
    const alone = await run(['server.pem', '--trust', 'root.pem']);
    expect(alone.stderr).toMatch(ONE_LINE_ERROR('ERR_CHAIN_UNTRUSTED'));
  });

  it('prints JSON with --json', async () => {
    const r = await run(['server.pem', '--untrusted', 'ica.pem', '--trust', 'root.pem', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      valid: true,
      chain: [
        { subject: 'CN=server', sha256: await opensslFingerprint(join(dir, 'server.pem')) },
        { subject: 'CN=ica', sha256: await opensslFingerprint(join(dir, 'ica.pem')) },
        { subject: 'CN=root', sha256: await opensslFingerprint(join(dir, 'root.pem')) },
      ],
    });
    const bad = await run(['server.pem', '--trust', 'root.pem', '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, code: 'ERR_CHAIN_UNTRUSTED', chain: [{ subject: 'CN=server' }] });
  });

  it('exits 2 on a usage error, and documents itself', async () => {
    const r = await run(['chain.pem', '--trust', 'root.pem', '--purpose', 'email']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
    const help = await run(['--help']);
    expect(help.stdout).toMatch(/Examples:[\s\S]*Exit codes:/);
  });
});
