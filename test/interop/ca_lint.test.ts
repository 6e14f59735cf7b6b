import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pemArmor } from '../../src/keystore/pem/pem_blocks.js';
import { hapki } from '../helpers/cli.js';
import { openssl, tempDir, tool } from '../helpers/tools.js';
import { cn, dnsNames, ecCsr } from '../issue/crafted_csr.js';

/**
 * Certificates signed with the overrides (a wildcard, a foreign name, a long validity, a sub-CA
 * with name constraints) are checked by openssl's RFC 5280 strict mode (-x509_strict): pkilint is
 * not reachable from the build machines, so openssl is the profile linter here.
 */
const dir = tempDir('hapki-lint-');
const at = (f: string): string => join(dir, f);
const env = { CAPASS: 'lint-secret' };
const CA = ['--ca', at('ca.p12'), '--ca-storepass', 'env:CAPASS'];

beforeAll(async () => {
  expect((await hapki(['ca', 'init', '--subject', 'CN=Lint Root,O=Example', '--kty', 'ec', '--path-len', '1', '--out', at('ca.p12'), '--outpass', 'env:CAPASS', '--cert-out', at('ca.pem')], { env })).code).toBe(0);
  expect((await hapki(['ca', 'set', '--ca', at('ca.p12'), '--allow-domain', 'example.com', '--crl-url', 'http://pki.example.com/ca.crl', '--aia-url', 'http://pki.example.com/ca.cer'])).code).toBe(0);
});

async function strict(cert: string, chain: string[] = []): Promise<string> {
  const r = await tool('openssl', ['verify', '-x509_strict', '-CAfile', at('ca.pem'), ...chain.flatMap((c) => ['-untrusted', c]), cert]);
  return r.stdout + r.stderr;
}

describe('override-signed certificates pass openssl -x509_strict', () => {
  it('a wildcard, a foreign name, and a 3650-day leaf', async () => {
    writeFileSync(at('w.csr'), pemArmor('CERTIFICATE REQUEST', ecCsr(cn('w.example.com'), [dnsNames('*.example.com', 'www.other.test')])));
    const r = await hapki(['sign', at('w.csr'), ...CA, '--allow-wildcard', '--allow-any-name', '--allow-long-validity', '--days', '3650', '--out', at('w.pem')], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(await strict(at('w.pem'))).toContain(': OK');
    const text = (await openssl(['x509', '-in', at('w.pem'), '-noout', '-text'])).stdout;
    expect(text).toMatch(/DNS:\*\.example\.com, DNS:www\.other\.test/);
    expect(text).toContain('URI:http://pki.example.com/ca.crl');
  });

  it('a sub-CA with pathLen 0 and name constraints', async () => {
    writeFileSync(at('sub.csr'), pemArmor('CERTIFICATE REQUEST', ecCsr(cn('Lint Sub CA'))));
    expect((await hapki(['sign', at('sub.csr'), ...CA, '--profile', 'ca', '--out', at('sub.pem')], { env })).code).toBe(0);
    const text = (await openssl(['x509', '-in', at('sub.pem'), '-noout', '-text'])).stdout;
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Name Constraints: critical\s+Permitted:\s+DNS:example\.com/);
    expect(await strict(at('sub.pem'))).toContain(': OK');
  });
});
