import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Crypto } from '@peculiar/webcrypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/crypto/generate_key.js';
import { nodeSigner } from '../../src/crypto/node_signer.js';
import type { WebCrypto } from '../../src/crypto/provider.js';
import { buildCrl } from '../../src/issue/build_crl.js';
import { createCa, createCaCertificate } from '../../src/issue/create_ca.js';
import { createCsrWithSigner } from '../../src/issue/create_csr.js';
import { issuerFromEntry } from '../../src/issue/issuer.js';
import { keyIdentifier } from '../../src/issue/key_id.js';
import { parseSan } from '../../src/issue/san.js';
import { signCsrs } from '../../src/issue/sign_csr.js';
import { encodeName } from '../../src/cert/dn.js';
import { pemArmor } from '../../src/keystore/pem/pem_blocks.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

const dir = tempDir();

function writePem(name: string, label: string, ders: readonly Uint8Array[]): string {
  const path = join(dir, name);
  writeFileSync(path, ders.map((d) => pemArmor(label, d)).join(''));
  return path;
}

describe('issuing through a Signer', () => {
  it('an injected WebCrypto provider signs the CA and a batch of requests: openssl verifies every certificate', async () => {
    const crypto = new Crypto() as unknown as WebCrypto;
    const ca = await createCa({ subject: 'CN=WebCrypto CA,O=Example', key: { kty: 'ec', curve: 'P-256' } }, crypto);
    const issuer = await issuerFromEntry(ca.entry, crypto);
    const caPem = writePem('webcrypto-ca.pem', 'CERTIFICATE', [ca.certificate]);
    const requests = [];
    for (const name of ['a', 'b']) {
      const key = await generateSigningKey({ kty: 'ec' });
      requests.push({ csr: await createCsrWithSigner(nodeSigner(key), encodeName(`CN=${name}.example.com`), [parseSan(`ip:10.0.0.${name === 'a' ? 1 : 2}`)]) });
    }
    const results = await signCsrs(requests, issuer, crypto);
    for (const [i, result] of results.entries()) {
      if (!result.ok) throw result.error;
      const leaf = writePem(`webcrypto-leaf-${i}.pem`, 'CERTIFICATE', [result.signed.certificate]);
      expect((await openssl(['verify', '-CAfile', caPem, leaf])).stdout).toMatch(/: OK/);
      expect((await openssl(['x509', '-in', leaf, '-noout', '-ext', 'subjectAltName'])).stdout).toContain(`IP Address:10.0.0.${i + 1}`);
    }
  });

  it('a batch answers each request on its own, in order: a bad one fails with its code, the others are issued', async () => {
    const ca = await createCa({ subject: 'CN=Batch CA,O=Example', key: { kty: 'rsa', bits: 2048 } });
    const issuer = await issuerFromEntry(ca.entry);
    const good = await createCsrWithSigner(nodeSigner(await generateSigningKey({ kty: 'ed25519' })), encodeName('CN=good.example.com'), []);
    const tampered = good.slice();
    tampered[tampered.length - 1] ^= 1;
    const results = await signCsrs([{ csr: good }, { csr: tampered }, { csr: new TextEncoder().encode('not a request') }, { csr: good, options: { profile: 'client' } }], issuer);
    expect(results.map((r) => (r.ok ? 'ok' : (r.error as { code?: string }).code))).toEqual(['ok', 'ERR_CSR_SIGNATURE', 'ERR_INVALID_ARGUMENT', 'ok']);
    const caPem = writePem('batch-ca.pem', 'CERTIFICATE', [ca.certificate]);
    const client = results[3]!;
    if (!client.ok) throw client.error;
    const leaf = writePem('batch-client.pem', 'CERTIFICATE', [client.signed.certificate]);
    expect((await openssl(['verify', '-CAfile', caPem, '-purpose', 'sslclient', leaf])).stdout).toMatch(/: OK/);
  });

  it('keytool installs the reply hapki issued for its own request, under a CA certificate made for a key held by a Signer', async () => {
    const caKey = await generateSigningKey({ kty: 'rsa', bits: 2048 });
    const { certificate: caCert } = await createCaCertificate({ subject: 'CN=Signer Root,O=Example' }, nodeSigner(caKey));
    const ca = writePem('signer-root.pem', 'CERTIFICATE', [caCert]);
    const store = join(dir, 'node.p12');
    const common = ['-storetype', 'PKCS12', '-keystore', store, '-storepass', 'changeit'];
    await keytool([...common, '-genkeypair', '-alias', 'node', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=msas1.example.com,O=Example']);
    const { stdout: csr } = await keytool([...common, '-certreq', '-alias', 'node']);
    const issuer = { signer: nodeSigner(caKey), chain: [caCert] };
    const [result] = await signCsrs([{ csr: new TextEncoder().encode(csr), options: { sans: [parseSan('lbrhost.example.com')] } }], issuer);
    if (!result?.ok) throw result?.error;
    const reply = writePem('node-reply.pem', 'CERTIFICATE', result.signed.chain);
    await keytool([...common, '-importcert', '-noprompt', '-alias', 'root', '-file', ca]);
    const installed = await keytool([...common, '-importcert', '-noprompt', '-alias', 'node', '-file', reply]);
    expect(installed.stdout + installed.stderr).toContain('Certificate reply was installed in keystore');
    const listing = (await keytool([...common, '-list', '-v', '-alias', 'node'])).stdout;
    expect(listing).toContain('Certificate chain length: 2');
    expect(listing).toContain('DNSName: lbrhost.example.com');
  });

  it('writes a CRL openssl verifies against the CA, with the revoked serials and reasons', async () => {
    const ca = await createCa({ subject: 'CN=CRL CA,O=Example', key: { kty: 'ec', curve: 'P-384' } });
    const issuer = await issuerFromEntry(ca.entry);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const crl = await buildCrl(
      {
        issuer: encodeName('CN=CRL CA,O=Example'),
        authorityKeyId: keyIdentifier(issuer.signer.publicKeyInfo),
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + 7 * 86_400_000),
        number: 5,
        revoked: [
          { serial: '0a1b2c', date: now, reason: 'keyCompromise' },
          { serial: '7f00000000000000000000000000ff01', date: now },
        ],
      },
      issuer.signer,
    );
    const crlPem = writePem('ca.crl', 'X509 CRL', [crl]);
    const caPem = writePem('crl-ca.pem', 'CERTIFICATE', [ca.certificate]);
    const verified = await openssl(['crl', '-in', crlPem, '-CAfile', caPem, '-noout', '-text']);
    expect(verified.stderr).toMatch(/verify OK/);
    expect(verified.stdout).toMatch(/X509v3 CRL Number:\s+5/);
    expect(verified.stdout).toMatch(/Serial Number: 0A1B2C\s+Revocation Date: .*\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Key Compromise/);
    expect(verified.stdout).toContain('Serial Number: 7F00000000000000000000000000FF01');
    expect(readFileSync(crlPem, 'utf8')).toMatch(/^-----BEGIN X509 CRL-----/);
  });
});
