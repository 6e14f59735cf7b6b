import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

/**
 * The seed procedure (CSR from the entry's key, sign with the load balancer's name, install the
 * reply) on the key kinds keytool makes beside RSA, EC and Ed25519: RSASSA-PSS and Ed448. The
 * anchors judge: openssl verifies each request and certificate, keytool lists the installed chain.
 */
const dir = tempDir();
const env = { STOREPASS: 'changeit', CAPASS: 'ca-secret' };
const at = (name: string): string => join(dir, name);

describe('keytool key kinds through csr, sign and import', () => {
  it.each([
    ['RSASSA-PSS', 'PKCS12', ['-keyalg', 'RSASSA-PSS', '-keysize', '2048']],
    ['RSASSA-PSS', 'JKS', ['-keyalg', 'RSASSA-PSS', '-keysize', '2048']],
    ['Ed448', 'PKCS12', ['-keyalg', 'Ed448']],
    ['Ed448', 'JCEKS', ['-keyalg', 'Ed448']],
  ])('%s key in a keytool %s store', async (kind, storeType, keyArgs) => {
    const name = `${kind}-${storeType}`;
    const store = at(`${name}.ks`);
    await keytool(['-genkeypair', '-alias', 'gw', '-dname', 'CN=gw1.example.com', ...keyArgs, '-storetype', storeType, '-keystore', store, '-storepass', 'changeit', '-keypass', 'changeit', '-validity', '30']);
    const ca = at(`${name}-ca.p12`);
    expect((await hapki(['ca', 'init', '--out', ca, '--subject', `CN=${name} CA`, '--outpass', 'env:CAPASS', '--kty', 'ec'], { env })).code).toBe(0);
    const caPem = at(`${name}-ca.pem`);
    expect((await hapki(['export', ca, '--alias', 'ca', '--what', 'cert', '--out', caPem, '--storepass', 'env:CAPASS'], { env })).code).toBe(0);

    const csr = at(`${name}.csr`);
    const made = await hapki(['csr', store, '--alias', 'gw', '--storepass', 'env:STOREPASS', '--out', csr], { env });
    expect(made.stderr).not.toMatch(/ERR_/);
    const request = await openssl(['req', '-in', csr, '-verify', '-noout', '-text']);
    expect(request.stderr + request.stdout).toMatch(/verify OK/);
    if (kind === 'RSASSA-PSS') expect(request.stdout).toMatch(/rsassaPss[\s\S]*Hash Algorithm: sha256[\s\S]*Salt Length: 0x20/);

    const cert = at(`${name}.pem`);
    const signed = await hapki(['sign', csr, '--ca', ca, '--ca-storepass', 'env:CAPASS', '--san', 'lbrhost.example.com', '--out', cert], { env });
    expect(signed.code, signed.stderr).toBe(0);
    expect((await openssl(['verify', '-CAfile', caPem, cert])).stdout).toMatch(/: OK/);
    const text = (await openssl(['x509', '-in', cert, '-noout', '-text'])).stdout;
    expect(text).toContain('DNS:lbrhost.example.com');
    expect(text).toContain('DNS:gw1.example.com');
    expect(text).toMatch(kind === 'Ed448' ? /Public Key Algorithm: ED448/ : /Public Key Algorithm: rsassaPss/);
    // a PSS key signs only: it is never certified for key encipherment
    expect(text).not.toContain('Key Encipherment');

    const fingerprint = (await openssl(['x509', '-in', caPem, '-noout', '-fingerprint', '-sha256'])).stdout.split('=')[1]!.trim();
    const installed = await hapki(['import', store, '--alias', 'gw', '--reply', cert, '--ca', caPem, '--trust-root', fingerprint, '--storepass', 'env:STOREPASS'], { env });
    expect(installed.code, installed.stderr).toBe(0);
    const listing = (await keytool(['-list', '-v', '-keystore', store, '-storepass', 'changeit', '-alias', 'gw'])).stdout;
    expect(listing).toMatch(/Certificate chain length: 2/);
    expect(listing).toContain(`CN=${name} CA`);
  });
});
