import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

/** export and csr default to a keystore's only entry, as sign's --ca-alias does; several need --alias. */
const dir = tempDir('hapki-default-alias-');
const at = (f: string): string => join(dir, f);
const env = { STOREPASS: 'changeit' };

beforeAll(async () => {
  await keytool(['-genkeypair', '-alias', 'msas1', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=msas1.example.com', '-keystore', at('one.jks'), '-storepass', 'changeit', '-keypass', 'changeit']);
  await keytool(['-genkeypair', '-alias', 'msas1', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=msas1.example.com', '-keystore', at('two.jks'), '-storepass', 'changeit', '-keypass', 'changeit']);
  await keytool(['-exportcert', '-rfc', '-alias', 'msas1', '-keystore', at('one.jks'), '-storepass', 'changeit', '-file', at('peer.pem')]);
  await keytool(['-importcert', '-noprompt', '-alias', 'peer', '-file', at('peer.pem'), '-keystore', at('two.jks'), '-storepass', 'changeit']);
});

describe('the only entry needs no --alias', () => {
  it('export of a one-entry keystore takes its entry; openssl reads the certificate and names the same key', async () => {
    const r = await hapki(['export', at('one.jks'), '--storepass', 'env:STOREPASS', '--what', 'cert', '--out', at('one.pem'), '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ alias: 'msas1', what: 'cert' });
    expect((await openssl(['x509', '-in', at('one.pem'), '-noout', '-subject'])).stdout).toContain('CN = msas1.example.com');
  });

  it('export of a keystore with two entries asks which, writing nothing', async () => {
    const r = await hapki(['export', at('two.jks'), '--storepass', 'env:STOREPASS', '--out', at('two.pem')], { env });
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_INVALID_ARGUMENT'));
    expect(r.stderr).toContain('--alias');
  });

  it('csr takes the only private-key entry (a trusted certificate beside it does not count); openssl verifies the request for that key', async () => {
    const r = await hapki(['csr', at('two.jks'), '--storepass', 'env:STOREPASS', '--out', at('msas1.csr'), '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ alias: 'msas1' });
    const verified = await openssl(['req', '-in', at('msas1.csr'), '-noout', '-verify', '-pubkey']);
    expect(verified.stderr + verified.stdout).toMatch(/verify OK/i);
    writeFileSync(at('entry.pem'), (await keytool(['-exportcert', '-rfc', '-alias', 'msas1', '-keystore', at('two.jks'), '-storepass', 'changeit'])).stdout);
    expect(verified.stdout).toContain((await openssl(['x509', '-in', at('entry.pem'), '-noout', '-pubkey'])).stdout);
  });

  it('csr --new-key still needs --alias: the name of the new entry', async () => {
    const r = await hapki(['csr', '--new-key', '--subject', 'CN=x.example.com', '--keystore', at('one.jks'), '--storepass', 'env:STOREPASS', '--out', at('x.csr')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(ONE_LINE_ERROR('ERR_USAGE'));
  });

  it('list --alias shows that entry alone, matched as keytool matches (case folded in a JKS); an alias not there is ERR_ALIAS_NOT_FOUND', async () => {
    const one = await hapki(['list', at('two.jks'), '--storepass', 'env:STOREPASS', '--alias', 'PEER', '--json'], { env });
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout).entries.map((e: { alias: string }) => e.alias)).toEqual(['peer']);
    const text = await hapki(['list', at('two.jks'), '--storepass', 'env:STOREPASS', '--alias', 'msas1'], { env });
    expect(text.stdout).toContain('1 entry');
    expect(text.stdout).toContain('msas1');
    expect(text.stdout).not.toContain('peer');
    const keytoolSays = await keytool(['-list', '-alias', 'PEER', '-keystore', at('two.jks'), '-storepass', 'changeit']);
    expect(keytoolSays.stdout).toMatch(/^PEER, .*trustedCertEntry/m);
    const missing = await hapki(['list', at('two.jks'), '--storepass', 'env:STOREPASS', '--alias', 'nope'], { env });
    expect(missing.stderr).toMatch(ONE_LINE_ERROR('ERR_ALIAS_NOT_FOUND'));
  });
});
