import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KeySpec } from '../../src/crypto/keys.js';
import { createCa } from '../../src/issue/create_ca.js';
import { createCsr } from '../../src/issue/create_csr.js';
import { requestWithNewKey } from '../../src/issue/create_key_entry.js';
import { issuerFromEntry } from '../../src/issue/issuer.js';
import { parseSan } from '../../src/issue/san.js';
import { signCsr } from '../../src/issue/sign_csr.js';
import { emptyKeystore, type PrivateKeyEntry } from '../../src/keystore/model.js';
import { parsePemBlocks, pemArmor } from '../../src/keystore/pem/pem_blocks.js';
import { opensslKeyAndCert, type KeyKind } from '../helpers/keys.js';
import { openssl, tempDir } from '../helpers/tools.js';

const dir = tempDir();

function writePem(name: string, label: string, ders: Uint8Array[]): string {
  const path = join(dir, name);
  writeFileSync(path, ders.map((d) => pemArmor(label, d)).join(''));
  return path;
}

const CA_KEYS: readonly [string, KeySpec][] = [
  ['RSA', { kty: 'rsa', bits: 2048 }],
  ['P-256', { kty: 'ec', curve: 'P-256' }],
  ['Ed25519', { kty: 'ed25519' }],
];

describe.each(CA_KEYS)('a %s CA', (name, key) => {
  it('issues certificates openssl verifies, for requests openssl made, with the profile and names stated', async () => {
    const ca = await createCa({ subject: `CN=Interop ${name} CA,O=Example`, key });
    const caPem = writePem(`ca-${name}.pem`, 'CERTIFICATE', [ca.certificate]);
    const caText = (await openssl(['x509', '-in', caPem, '-noout', '-text'])).stdout;
    expect(caText).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(caText).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    const issuer = await issuerFromEntry(ca.entry);
    for (const [kind, profile, usage, eku] of [
      ['rsa', 'server', 'Digital Signature, Key Encipherment', 'TLS Web Server Authentication'],
      ['p256', 'client', 'Digital Signature', 'TLS Web Client Authentication'],
      ['ed25519', 'server-client', 'Digital Signature', 'TLS Web Server Authentication, TLS Web Client Authentication'],
    ] as const) {
      const req = join(dir, `${name}-${kind}.csr`);
      const { key: k } = await opensslKeyAndCert(dir, `${name}-${kind}`, kind as KeyKind);
      await openssl(['req', '-new', '-key', k, '-out', req, '-subj', `/O=Example/CN=${kind}.example.com`, '-addext', `subjectAltName=DNS:${kind}-alt.example.com`]);
      const signed = await signCsr(new Uint8Array(readFileSync(req)), issuer, { profile, sans: [parseSan('ip:10.0.0.5')] });
      const leaf = writePem(`leaf-${name}-${kind}.pem`, 'CERTIFICATE', [signed.certificate]);
      expect((await openssl(['verify', '-CAfile', caPem, leaf])).stdout).toMatch(/: OK/);
      const text = (await openssl(['x509', '-in', leaf, '-noout', '-text'])).stdout;
      expect(text).toMatch(new RegExp(`Key Usage: critical\\s+${usage}\\n`));
      expect(text).toMatch(new RegExp(`Extended Key Usage: \\s*${eku}\\n`));
      expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
      expect(text).toContain(`DNS:${kind}-alt.example.com, DNS:${kind}.example.com, IP Address:10.0.0.5`);
      expect(text).toContain(`Subject: O = Example, CN = ${kind}.example.com`);
    }
  });
});

describe('intermediate CAs', () => {
  it('a root, an intermediate under it and a leaf: openssl verifies the path', async () => {
    const root = await createCa({ subject: 'CN=Interop Root,O=Example', key: { kty: 'ec', curve: 'P-384' }, pathLength: 1 });
    const sub = await createCa({ subject: 'CN=Interop Sub,O=Example', key: { kty: 'rsa', bits: 2048 }, pathLength: 0, issuer: await issuerFromEntry(root.entry) });
    const node = await requestWithNewKey(emptyKeystore('PKCS12'), { alias: 'n', subject: 'CN=n.example.com', key: { kty: 'ec' } });
    const signed = await signCsr(node.csr, await issuerFromEntry(sub.entry));
    const rootPem = writePem('i-root.pem', 'CERTIFICATE', [root.certificate]);
    const subPem = writePem('i-sub.pem', 'CERTIFICATE', [sub.certificate]);
    const leaf = writePem('i-leaf.pem', 'CERTIFICATE', [signed.certificate]);
    expect((await openssl(['verify', '-CAfile', rootPem, '-untrusted', subPem, leaf])).stdout).toMatch(/: OK/);
    const text = (await openssl(['x509', '-in', subPem, '-noout', '-text'])).stdout;
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Authority Key Identifier/);
    const chain = writePem('i-chain.pem', 'CERTIFICATE', signed.chain.slice(1));
    expect((await openssl(['verify', '-CAfile', rootPem, '-untrusted', chain, leaf])).stdout).toMatch(/: OK/);
  });
});

describe('certificate requests', () => {
  it.each(['rsa', 'p256', 'ed25519'] as const)('from an existing %s entry: openssl req -verify accepts it, with the subject and SANs of its certificate', async (kind) => {
    const { key, cert } = await opensslKeyAndCert(dir, `entry-${kind}`, kind, `/O=Example/CN=entry-${kind}.example.com`);
    await openssl(['req', '-new', '-x509', '-key', key, '-out', cert, '-days', '30', '-subj', `/O=Example/CN=entry-${kind}.example.com`, '-addext', 'subjectAltName=DNS:old.example.com,IP:10.1.1.1']);
    const entry: PrivateKeyEntry = {
      type: 'private-key',
      alias: kind,
      key: parsePemBlocks(readFileSync(key))[0]!.der,
      chain: [parsePemBlocks(readFileSync(cert))[0]!.der],
    };
    const { csr } = await createCsr(entry, { sans: [parseSan('lbrhost.example.com')] });
    const path = writePem(`entry-${kind}.csr`, 'CERTIFICATE REQUEST', [csr]);
    const result = await openssl(['req', '-in', path, '-verify', '-noout', '-text']);
    expect(result.stdout + result.stderr).toMatch(/verify OK/);
    expect(result.stdout).toContain(`Subject: O = Example, CN = entry-${kind}.example.com`);
    expect(result.stdout).toContain('DNS:old.example.com, IP Address:10.1.1.1, DNS:lbrhost.example.com');
  });

  it.each([
    ['RSA', { kty: 'rsa', bits: 2048 }],
    ['P-256', { kty: 'ec', curve: 'P-256' }],
    ['Ed25519', { kty: 'ed25519' }],
  ] as const)('with a new %s key: openssl req -verify accepts it, and the placeholder certificate holds the same key', async (name, key) => {
    const made = await requestWithNewKey(emptyKeystore('PKCS12'), { alias: 'new', subject: 'CN=new.example.com,O=Example', key: key as KeySpec, sans: [parseSan('ip:10.0.0.9')] });
    const csrPath = writePem(`new-${name}.csr`, 'CERTIFICATE REQUEST', [made.csr]);
    const result = await openssl(['req', '-in', csrPath, '-verify', '-noout', '-text']);
    expect(result.stdout + result.stderr).toMatch(/verify OK/);
    expect(result.stdout).toContain('IP Address:10.0.0.9');
    const certPath = writePem(`new-${name}.pem`, 'CERTIFICATE', made.entry.chain);
    const keyPath = writePem(`new-${name}.key`, 'PRIVATE KEY', [made.entry.key!]);
    const fromCsr = await openssl(['req', '-in', csrPath, '-pubkey', '-noout']);
    const fromKey = await openssl(['pkey', '-in', keyPath, '-pubout']);
    const fromCert = await openssl(['x509', '-in', certPath, '-pubkey', '-noout']);
    expect(fromCsr.stdout).toBe(fromKey.stdout);
    expect(fromCert.stdout).toBe(fromKey.stdout);
  });
});
