import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/crypto/digest.js';
import { publicKeyOfPrivateKey, publicKeysEqual } from '../../../src/crypto/key_info.js';
import { certificatePublicKey } from '../../../src/cert/describe.js';
import { readPem } from '../../../src/keystore/pem/read.js';
import type { PrivateKeyEntry } from '../../../src/keystore/model.js';
import { fixture } from '../../helpers/fixtures.js';
import { certFilePublicKey, opensslFingerprint, opensslKeyAndCert } from '../../helpers/keys.js';
import { openssl, tempDir } from '../../helpers/tools.js';

const dir = tempDir();

function bytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

describe('readPem', () => {
  it('reads what `openssl pkcs12 -nodes` prints, with aliases from its bag attributes', async () => {
    const store = await readPem(fixture('gateway.pem'));
    expect(store.format).toBe('PEM');
    const key = store.entries.find((e) => e.type === 'private-key') as PrivateKeyEntry;
    expect(key.alias).toBe('server1');
    expect(key.chain).toHaveLength(1);
    expect(publicKeysEqual(publicKeyOfPrivateKey(key.key!), certificatePublicKey(key.chain[0]!))).toBe(true);
    const trusted = store.entries.filter((e) => e.type === 'trusted-cert');
    expect(trusted.map((e) => e.alias)).toEqual(['example-root']);
  });

  it('pairs a key with its certificate by public key and orders the chain leaf first, whatever the file order', async () => {
    const ca = await opensslKeyAndCert(dir, 'ca', 'p256', '/CN=Test CA');
    const leafKey = join(dir, 'leaf.key');
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', leafKey]);
    await openssl(['req', '-new', '-key', leafKey, '-subj', '/CN=leaf.example.com', '-out', join(dir, 'leaf.csr')]);
    await openssl(['x509', '-req', '-in', join(dir, 'leaf.csr'), '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', '7', '-days', '5', '-out', join(dir, 'leaf.pem')]);
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, [readFileSync(ca.cert, 'utf8'), readFileSync(leafKey, 'utf8'), readFileSync(join(dir, 'leaf.pem'), 'utf8')].join(''));

    const store = await readPem(bytes(bundle));
    expect(store.entries).toHaveLength(1);
    const entry = store.entries[0] as PrivateKeyEntry;
    expect(entry.alias).toBe('leaf.example.com');
    expect(entry.chain.map(sha256Hex)).toEqual([await opensslFingerprint(join(dir, 'leaf.pem')), await opensslFingerprint(ca.cert)]);
  });

  it('reads PKCS#1 RSA and SEC1 EC keys as PKCS#8', async () => {
    const rsa = join(dir, 'rsa1.pem');
    await openssl(['genrsa', '-traditional', '-out', rsa, '2048']);
    expect(readFileSync(rsa, 'utf8')).toContain('BEGIN RSA PRIVATE KEY');
    const ec = join(dir, 'ec1.pem');
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', ec]);
    expect(readFileSync(ec, 'utf8')).toContain('BEGIN EC PRIVATE KEY');
    for (const [path, pubCmd] of [[rsa, 'rsa'], [ec, 'ec']] as const) {
      const store = await readPem(bytes(path));
      const entry = store.entries[0] as PrivateKeyEntry;
      expect(entry.type).toBe('private-key');
      const { stdout } = await openssl([pubCmd, '-in', path, '-pubout', '-outform', 'DER', '-out', `${path}.pub`]);
      expect(stdout).toBe('');
      expect(publicKeysEqual(publicKeyOfPrivateKey(entry.key!), bytes(`${path}.pub`))).toBe(true);
    }
  });

  it('decrypts an encrypted PKCS#8 key openssl wrote, and refuses the wrong password with ERR_KEYSTORE_PASSWORD', async () => {
    const plain = await opensslKeyAndCert(dir, 'enc', 'rsa');
    const encrypted = join(dir, 'enc-key.pem');
    await openssl(['pkcs8', '-topk8', '-in', plain.key, '-v2', 'aes-256-cbc', '-passout', 'pass:s3cret', '-out', encrypted]);
    const store = await readPem(bytes(encrypted), { password: 's3cret' });
    const entry = store.entries[0] as PrivateKeyEntry;
    expect(publicKeysEqual(publicKeyOfPrivateKey(entry.key!), certFilePublicKey(plain.cert))).toBe(true);
    await expect(readPem(bytes(encrypted), { password: 'wrong' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
  });

  it('leaves an encrypted key sealed when no password is given, and says so', async () => {
    const plain = await opensslKeyAndCert(dir, 'enc2', 'p256');
    const encrypted = join(dir, 'enc2-key.pem');
    await openssl(['pkcs8', '-topk8', '-in', plain.key, '-v2', 'aes-256-cbc', '-passout', 'pass:s3cret', '-out', encrypted]);
    const store = await readPem(bytes(encrypted));
    expect(store.entries[0]).toMatchObject({ type: 'private-key', sealed: { reason: 'no-password' } });
    expect(store.warnings.join('\n')).toMatch(/locked/);
  });

  it('rejects a malformed block with ERR_KEYSTORE_FORMAT', async () => {
    const text = '-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n';
    await expect(readPem(new TextEncoder().encode(text))).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    const truncated = '-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END CERTIFICATE-----\n';
    await expect(readPem(new TextEncoder().encode(truncated))).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
  });
});

describe('PEM labels (RFC 7468)', () => {
  it('reads a bundle holding what openssl dhparam -dsaparam writes (X9.42 DH PARAMETERS) beside a certificate', async () => {
    const params = join(dir, 'x942.pem');
    await openssl(['dhparam', '-dsaparam', '-out', params, '1024']);
    const label = readFileSync(params, 'utf8').split('\n')[0];
    expect(label).toBe('-----BEGIN X9.42 DH PARAMETERS-----');
    const bundle = Buffer.concat([readFileSync(params), Buffer.from(fixture('gateway.pem'))]);
    const store = await readPem(new Uint8Array(bundle));
    expect(store.entries.map((e) => e.alias).sort()).toEqual(['example-root', 'server1']);
    expect(store.warnings).toContain('PEM block X9.42 DH PARAMETERS at byte 0 is not a certificate or private key; ignored');
  });

  it('takes any RFC 7468 label, and names in messages only the usual ones', async () => {
    const cert = new TextDecoder().decode(fixture('ca.pem'));
    const odd = cert.replaceAll('CERTIFICATE', 'Foo_Bar-baz/1');
    const store = await readPem(new TextEncoder().encode(odd + cert));
    expect(store.entries).toHaveLength(1);
    expect(store.warnings.join('\n')).toMatch(/^a PEM block with a nonstandard label at byte 0 is not a certificate or private key; ignored$/m);
    expect(store.warnings.join('\n')).not.toContain('Foo_Bar');
    // not labels: two separators in a row, a leading separator, a control character, an over-long label
    for (const label of ['A  B', 'A--B', ' A', 'A\tB', 'A'.repeat(65)]) {
      const text = `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
      await expect(readPem(new TextEncoder().encode(text)), label).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT', message: expect.stringMatching(/^malformed PEM BEGIN line/) });
    }
  });
});

describe('readPem on hostile input', () => {
  it('refuses many BEGIN lines without an END at once (no quadratic scan)', async () => {
    const text = '-----BEGIN A-----\n'.repeat(50_000);
    await expect(readPem(new TextEncoder().encode(text))).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT', offset: 0 });
  });
});
