import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { openssl, tempDir } from '../helpers/tools.js';

/**
 * The JDK using what hapki writes as a Java server would: the key store made by `csr --new-key`,
 * `sign` and `import --reply` for its identity, a trust store made by `convert` for its peers, in
 * a real TLS handshake (client authentication required, the server's name checked). keytool -list
 * does not open keys; KeyManagerFactory does, and TLS signs with them.
 */
const dir = tempDir('hapki-java-tls-');
const env = { P: 'tls-pass-1', CAPASS: 'ca-pass-1' };
const at = (name: string): string => join(dir, name);
const java = (...args: string[]): string => execFileSync('java', ['-cp', dir, 'TlsHandshake', ...args], { encoding: 'utf8', timeout: 60_000 });
let rootFingerprint = '';

async function ok(args: string[]): Promise<void> {
  const result = await hapki(args, { env });
  expect(result.code, result.stderr).toBe(0);
}

describe('the JDK shakes hands with keystores hapki wrote', () => {
  beforeAll(async () => {
    copyFileSync(join(REPO_ROOT, 'test', 'interop', 'java', 'TlsHandshake.java'), at('TlsHandshake.java'));
    execFileSync('javac', ['-d', dir, at('TlsHandshake.java')]);
    await ok(['ca', 'init', '--subject', 'CN=TLS Test Root', '--out', at('ca.p12'), '--outpass', 'env:CAPASS', '--kty', 'ec', '--cert-out', at('root.pem')]);
    rootFingerprint = (await openssl(['x509', '-in', at('root.pem'), '-noout', '-fingerprint', '-sha256'])).stdout.split('=')[1]!.trim();
  }, 120_000);

  it.each([
    ['RSA', 'pkcs12', ['--kty', 'rsa', '--bits', '2048']],
    ['EC P-384', 'jks', ['--kty', 'ec', '--curve', 'P-384']],
    ['Ed25519', 'jceks', ['--kty', 'ed25519']],
    ['EC P-256', 'pkcs12', ['--kty', 'ec', '--curve', 'P-256']],
  ])('%s key in %s, trust store in the same format, TLS 1.3 and 1.2', async (kind, format, keyArgs) => {
    const name = `${kind.replace(/\W+/g, '')}-${format}`;
    const store = at(`${name}.${format}`);
    const trust = at(`${name}-trust.${format}`);
    const type = format.toUpperCase();
    await ok(['csr', '--new-key', '--keystore', store, '--store-format', format, '--alias', 'node', '--subject', 'CN=localhost,O=Example', '--san', 'localhost', ...keyArgs, '--storepass', 'env:P', '--out', at(`${name}.csr`)]);
    await ok(['sign', at(`${name}.csr`), '--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS', '--profile', 'server-client', '--out', at(`${name}.pem`)]);
    await ok(['import', store, '--alias', 'node', '--reply', at(`${name}.pem`), '--ca', at('root.pem'), '--trust-root', rootFingerprint, '--storepass', 'env:P']);
    await ok(['convert', at('root.pem'), trust, '--out-format', format, '--outpass', 'env:P']);
    for (const protocol of ['TLSv1.3', 'TLSv1.2']) {
      expect(java(store, type, env.P, trust, type, env.P, protocol).trim()).toBe(`OK ${protocol} CN=localhost,O=Example`);
    }
  }, 120_000);
});
