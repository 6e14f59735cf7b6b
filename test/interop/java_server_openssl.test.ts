import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hapki } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { openssl, tempDir, tool } from '../helpers/tools.js';

/**
 * Two TLS stacks on what hapki wrote: a Java server (JDK KeyManagerFactory and
 * TrustManagerFactory) on a key store made by `csr --new-key`, `sign` and `import --reply`, and a
 * trust store made by `import --trusted` into a file not there yet; openssl s_client connecting
 * with the client key and chain `export` wrote as PEM, checking the server's chain against the
 * root `ca init --cert-out` wrote and its name. Client authentication is required.
 */
const dir = tempDir('hapki-java-server-');
const env = { P: 'srv-pass-1', CAPASS: 'ca-pass-1', CP: 'cli-pass-1' };
const at = (name: string): string => join(dir, name);
let rootFingerprint = '';
const servers = new Set<ChildProcess>();

async function ok(args: string[]): Promise<void> {
  const result = await hapki(args, { env });
  expect(result.code, result.stderr).toBe(0);
}

/** The Java server, started on a port of the OS's choosing, and that port once it listens. */
function startServer(args: string[]): Promise<{ port: number; done: Promise<string> }> {
  const child = spawn('java', ['-cp', dir, 'TlsServer', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.add(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += String(d)));
  const done = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => {
      servers.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`TlsServer exited ${code}: ${err}`));
    });
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), done });
    });
    done.catch(reject);
  });
}

beforeAll(async () => {
  copyFileSync(join(REPO_ROOT, 'test', 'interop', 'java', 'TlsServer.java'), at('TlsServer.java'));
  execFileSync('javac', ['-d', dir, at('TlsServer.java')]);
  await ok(['ca', 'init', '--subject', 'CN=Java Server Root,O=Example', '--kty', 'ec', '--curve', 'P-384', '--out', at('ca.p12'), '--outpass', 'env:CAPASS', '--cert-out', at('root.pem')]);
  rootFingerprint = (await openssl(['x509', '-in', at('root.pem'), '-noout', '-fingerprint', '-sha256'])).stdout.split('=')[1]!.trim();
  // the client: its key and chain as PEM, as a non-Java client is handed them
  await ok(['csr', '--new-key', '--keystore', at('client.p12'), '--alias', 'client', '--subject', 'CN=client.example.com,O=Example', '--kty', 'ec', '--storepass', 'env:CP', '--out', at('client.csr')]);
  await ok(['sign', at('client.csr'), '--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS', '--profile', 'client', '--out', at('client.pem')]);
  await ok(['import', at('client.p12'), '--alias', 'client', '--reply', at('client.pem'), '--ca', at('root.pem'), '--trust-root', rootFingerprint, '--storepass', 'env:CP']);
  await ok(['export', at('client.p12'), '--alias', 'client', '--what', 'key', '--out', at('client.key'), '--storepass', 'env:CP']);
  await ok(['export', at('client.p12'), '--alias', 'client', '--what', 'chain', '--out', at('client-chain.pem'), '--storepass', 'env:CP']);
}, 180_000);

afterAll(() => {
  for (const child of servers) child.kill('SIGKILL');
});

describe('a Java TLS server on hapki keystores, openssl s_client as the client', () => {
  it.each<[string, string, string, boolean, string[]]>([
    ['RSA 2048', 'pkcs12', 'TLSv1.3', false, ['--kty', 'rsa', '--bits', '2048']],
    ['RSA 3072', 'jks', 'TLSv1.2', false, ['--kty', 'rsa', '--bits', '3072']],
    ['EC P-384', 'jceks', 'TLSv1.3', false, ['--kty', 'ec', '--curve', 'P-384']],
    ['EC P-521', 'pkcs12', 'TLSv1.2', true, ['--kty', 'ec', '--curve', 'P-521']],
    ['EC P-256', 'jks', 'TLSv1.3', false, ['--kty', 'ec', '--curve', 'P-256']],
    ['Ed25519', 'pkcs12', 'TLSv1.3', false, ['--kty', 'ed25519']],
    ['RSA 4096', 'pkcs12', 'TLSv1.2', true, ['--kty', 'rsa', '--bits', '4096']],
  ])('%s server key in %s, %s (legacy PKCS#12: %s)', async (kind, format, protocol, legacy, keyArgs) => {
    const name = `${kind.replace(/\W+/g, '')}-${format}${legacy ? '-legacy' : ''}`;
    let store = at(`${name}.${format}`);
    const trust = at(`${name}-trust.${format}`);
    const type = format.toUpperCase();
    await ok(['csr', '--new-key', '--keystore', store, '--store-format', format, '--alias', 'server', '--subject', 'CN=localhost,O=Example', '--san', 'localhost', ...keyArgs, '--storepass', 'env:P', '--out', at(`${name}.csr`)]);
    await ok(['sign', at(`${name}.csr`), '--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS', '--profile', 'server', '--out', at(`${name}.pem`)]);
    await ok(['import', store, '--alias', 'server', '--reply', at(`${name}.pem`), '--ca', at('root.pem'), '--trust-root', rootFingerprint, '--storepass', 'env:P']);
    if (legacy) {
      const converted = at(`${name}-3des.p12`);
      await ok(['convert', store, converted, '--legacy', '--storepass', 'env:P']);
      store = converted;
    }
    await ok(['import', trust, '--alias', 'clients-root', '--trusted', at('root.pem'), '--storepass', 'env:P']);

    const { port, done } = await startServer([store, type, env.P, trust, type, env.P, protocol]);
    const client = await tool('openssl', [
      's_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', protocol === 'TLSv1.3' ? '-tls1_3' : '-tls1_2',
      '-CAfile', at('root.pem'), '-verify_hostname', 'localhost', '-verify_return_error',
      '-cert', at('client-chain.pem'), '-key', at('client.key'), '-pass', `pass:${env.CP}`, '-ign_eof',
    ], { input: 'hello\n' });
    const served = await done;
    expect(client.stdout, client.stderr).toContain(`HELLO ${protocol} CN=client.example.com,O=Example`);
    expect(client.stdout).toMatch(/Verify return code: 0 \(ok\)/);
    expect(client.stdout).toMatch(/subject=O = Example, CN = localhost/);
    expect(served).toContain(`SERVED ${protocol}`);
  });
});
