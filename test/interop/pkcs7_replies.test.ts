import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { keytool, keytoolFingerprints, openssl, tempDir } from '../helpers/tools.js';

/**
 * CA replies and chains as PKCS#7 bundles (.p7b, PEM or DER, `openssl crl2pkcs7`), which
 * `keytool -importcert` installs: hapki installs the same chain keytool does, adds trusted
 * certificates from them, lists and converts them.
 */
const dir = tempDir('hapki-p7b-');
const env = { GW: 'gw-pass-1', CA: 'ca-pass-1' };
const at = (name: string): string => join(dir, name);
let rootFingerprint: string;

async function keytoolChain(store: string, alias: string): Promise<string[]> {
  return keytoolFingerprints((await keytool(['-list', '-v', '-alias', alias, '-keystore', store, '-storepass', env.GW])).stdout);
}

beforeAll(async () => {
  const ok = async (args: string[]): Promise<void> => {
    const result = await hapki(args, { env });
    expect(result.code, result.stderr).toBe(0);
  };
  await ok(['ca', 'init', '--subject', 'CN=P7 Root,O=Example', '--kty', 'ec', '--out', at('root.p12'), '--outpass', 'env:CA', '--cert-out', at('root.pem')]);
  await ok(['ca', 'init', '--subject', 'CN=P7 Issuing,O=Example', '--kty', 'ec', '--out', at('int.p12'), '--outpass', 'env:CA', '--ca', at('root.p12'), '--ca-storepass', 'env:CA', '--cert-out', at('int.pem')]);
  await keytool(['-genkeypair', '-alias', 'gw', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=gw.example.com', '-keystore', at('gw.p12'), '-storetype', 'PKCS12', '-storepass', env.GW]);
  await ok(['csr', at('gw.p12'), '--alias', 'gw', '--storepass', 'env:GW', '--out', at('gw.csr')]);
  await ok(['sign', at('gw.csr'), '--ca', at('int.p12'), '--ca-storepass', 'env:CA', '--chain', '--out', at('gw-chain.pem')]);
  // as a CA sends it: leaf, issuing CA and root in one PKCS#7, PEM and DER
  await openssl(['crl2pkcs7', '-nocrl', '-certfile', at('gw-chain.pem'), '-out', at('reply.p7b')]);
  await openssl(['crl2pkcs7', '-nocrl', '-certfile', at('gw-chain.pem'), '-outform', 'DER', '-out', at('reply.p7b.der')]);
  await openssl(['crl2pkcs7', '-nocrl', '-certfile', at('root.pem'), '-out', at('root.p7b')]);
  rootFingerprint = (await openssl(['x509', '-in', at('root.pem'), '-noout', '-fingerprint', '-sha256'])).stdout.split('=')[1]!.trim();
}, 120_000);

describe('PKCS#7 bundles', () => {
  it.each(['reply.p7b', 'reply.p7b.der'])('import --reply %s installs the chain keytool -importcert installs from it', async (reply) => {
    const ours = at(`ours-${reply}.p12`);
    const theirs = at(`theirs-${reply}.p12`);
    copyFileSync(at('gw.p12'), ours);
    copyFileSync(at('gw.p12'), theirs);
    await keytool(['-importcert', '-noprompt', '-trustcacerts', '-alias', 'gw', '-file', at(reply), '-keystore', theirs, '-storepass', env.GW]);
    const result = await hapki(['import', ours, '--alias', 'gw', '--reply', at(reply), '--trust-root', rootFingerprint, '--storepass', 'env:GW'], { env });
    expect(result.code, result.stderr).toBe(0);
    const chain = await keytoolChain(ours, 'gw');
    expect(chain).toHaveLength(3);
    expect(chain).toEqual(await keytoolChain(theirs, 'gw'));
  });

  it('import --trusted takes the certificate of a one-certificate .p7b', async () => {
    const store = at('trust.p12');
    copyFileSync(at('gw.p12'), store);
    const result = await hapki(['import', store, '--alias', 'p7-root', '--trusted', at('root.p7b'), '--storepass', 'env:GW'], { env });
    expect(result.code, result.stderr).toBe(0);
    const listing = (await keytool(['-list', '-v', '-alias', 'p7-root', '-keystore', store, '-storepass', env.GW])).stdout;
    expect(listing).toMatch(/Entry type: trustedCertEntry/);
    expect(keytoolFingerprints(listing)).toEqual([rootFingerprint.replace(/:/g, '').toLowerCase()]);
  });

  it('list shows each certificate of a .p7b (PEM and DER) once; convert makes a trust store keytool lists; verify trusts it', async () => {
    for (const file of ['reply.p7b', 'reply.p7b.der']) {
      const listed = await hapki(['list', at(file), '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      const entries = (JSON.parse(listed.stdout) as { entries: { alias: string; type: string }[] }).entries;
      expect(entries.map((e) => [e.alias, e.type])).toEqual([
        ['gw.example.com', 'trusted-cert'],
        ['p7-issuing', 'trusted-cert'],
        ['p7-root', 'trusted-cert'],
      ]);
    }
    const jks = at('truststore.jks');
    const converted = await hapki(['convert', at('reply.p7b.der'), jks, '--outpass', 'env:GW'], { env });
    expect(converted.code, converted.stderr).toBe(0);
    expect((await keytool(['-list', '-keystore', jks, '-storepass', env.GW])).stdout.match(/trustedCertEntry/g)).toHaveLength(3);
    const verified = await hapki(['verify', at('gw-chain.pem'), '--trust', at('root.p7b'), '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true });
  });
});
