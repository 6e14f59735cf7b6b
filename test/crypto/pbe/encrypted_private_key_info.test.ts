import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDer, type DerNode } from '../../../src/asn1/der_reader.js';
import { algorithmIdentifier, integer, octetString, sequence } from '../../../src/asn1/der_writer.js';
import { OID } from '../../../src/asn1/oids.js';
import { decryptPrivateKeyInfo, encryptPrivateKeyInfo } from '../../../src/crypto/pbe/encrypted_private_key_info.js';
import { decryptWithAlgorithm, encryptPbes2, encryptPkcs12Pbe, PbeDecryptError } from '../../../src/crypto/pbe/pbe.js';
import { toHex } from '../../../src/lib/bytes.js';
import { openssl, tempDir } from '../../helpers/tools.js';

const dir = tempDir();
let pkcs8: Uint8Array;

beforeAll(async () => {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', join(dir, 'key.pem')]);
  await openssl(['pkcs8', '-topk8', '-nocrypt', '-in', join(dir, 'key.pem'), '-outform', 'DER', '-out', join(dir, 'key.der')]);
  pkcs8 = new Uint8Array(readFileSync(join(dir, 'key.der')));
});

async function opensslEncrypted(name: string, args: string[], password = 'secret'): Promise<Uint8Array> {
  const out = join(dir, `${name}.der`);
  await openssl(['pkcs8', '-topk8', '-inform', 'DER', '-in', join(dir, 'key.der'), '-outform', 'DER', '-out', out, '-passout', `pass:${password}`, ...args]);
  return new Uint8Array(readFileSync(out));
}

const LEGACY_PROVIDER = ['-provider', 'legacy', '-provider', 'default'];

describe('decryptPrivateKeyInfo with what openssl pkcs8 writes', () => {
  const schemes: [string, string[]][] = [
    ['PBES2 AES-256, HMAC-SHA-256 (default)', []],
    ['PBES2 AES-128, HMAC-SHA-1', ['-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA1']],
    ['PBES2 AES-192, HMAC-SHA-512', ['-v2', 'aes-192-cbc', '-v2prf', 'hmacWithSHA512']],
    ['PBES2 AES-256, HMAC-SHA-224', ['-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA224']],
    ['PBES2 AES-256, HMAC-SHA-384', ['-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA384']],
    ['PBES2 3DES', ['-v2', 'des-ede3-cbc']],
    ['pbeWithSHAAnd3-KeyTripleDES-CBC', ['-v1', 'PBE-SHA1-3DES']],
    ['pbeWithSHAAnd2-KeyTripleDES-CBC', ['-v1', 'PBE-SHA1-2DES']],
    ['pbeWithSHAAnd128BitRC2-CBC', ['-v1', 'PBE-SHA1-RC2-128', ...LEGACY_PROVIDER]],
    ['pbeWithSHAAnd40BitRC2-CBC', ['-v1', 'PBE-SHA1-RC2-40', ...LEGACY_PROVIDER]],
    ['pbeWithSHAAnd128BitRC4', ['-v1', 'PBE-SHA1-RC4-128', ...LEGACY_PROVIDER]],
    ['pbeWithSHAAnd40BitRC4', ['-v1', 'PBE-SHA1-RC4-40', ...LEGACY_PROVIDER]],
  ];
  it.each(schemes)('%s', async (name, args) => {
    const encrypted = await opensslEncrypted(name.replace(/\W+/g, '_'), args);
    expect(toHex(await decryptPrivateKeyInfo(encrypted, 'secret'))).toBe(toHex(pkcs8));
    await expect(decryptPrivateKeyInfo(encrypted, 'wrong')).rejects.toBeInstanceOf(PbeDecryptError);
  });

  it('takes a non-ASCII password (UTF-8 for PBES2, BMPString for PKCS#12 PBE)', async () => {
    const pbes2 = await opensslEncrypted('utf8_pbes2', [], 'päss€');
    const pkcs12 = await opensslEncrypted('utf8_pkcs12', ['-v1', 'PBE-SHA1-3DES'], 'päss€');
    expect(toHex(await decryptPrivateKeyInfo(pbes2, 'päss€'))).toBe(toHex(pkcs8));
    expect(toHex(await decryptPrivateKeyInfo(pkcs12, 'päss€'))).toBe(toHex(pkcs8));
  });
});

describe('encryptPrivateKeyInfo', () => {
  it.each([
    ['modern', {}],
    ['legacy', { legacy: true, iterations: 2048 }],
  ] as const)('writes %s EncryptedPrivateKeyInfo that openssl pkey decrypts', async (name, options) => {
    const encrypted = await encryptPrivateKeyInfo(pkcs8, 'secret', options);
    const file = join(dir, `ours_${name}.der`);
    writeFileSync(file, encrypted);
    // PEM, because OpenSSL 3.0 writes EC keys in DER as SEC1 rather than PKCS#8.
    const { stdout } = await openssl(['pkey', '-inform', 'DER', '-in', file, '-passin', 'pass:secret']);
    const body = stdout.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '');
    expect(toHex(new Uint8Array(Buffer.from(body, 'base64')))).toBe(toHex(pkcs8));
    expect(toHex(await decryptPrivateKeyInfo(encrypted, 'secret'))).toBe(toHex(pkcs8));
  });

  it('modern output is PBES2 / PBKDF2-HMAC-SHA-256 / AES-256-CBC with a 16-byte salt', async () => {
    const encrypted = readDer(await encryptPrivateKeyInfo(pkcs8, 'secret', { iterations: 1234 }), 'x');
    const alg = encrypted.child(0);
    expect(alg.child(0).oid()).toBe(OID.pbes2);
    const kdf = alg.child(1).child(0);
    expect(kdf.child(0).oid()).toBe(OID.pbkdf2);
    expect(kdf.child(1).child(0).octets().length).toBe(16);
    expect(kdf.child(1).child(1).integer('iterations')).toBe(1234);
    expect(kdf.child(1).child(3).child(0).oid()).toBe(OID.hmacWithSHA256);
    expect(alg.child(1).child(1).child(0).oid()).toBe(OID.aes256CBC);
  });
});

describe('decryptWithAlgorithm', () => {
  it('distinguishes the empty from the absent password for PKCS#12 PBE, not for PBES2', async () => {
    const data = new Uint8Array(40).fill(7);
    const legacy = await encryptPkcs12Pbe(data, '', { iterations: 10 });
    const legacyAlg = readDer(legacy.algorithmIdentifier, 'alg');
    expect(toHex(await decryptWithAlgorithm(legacyAlg, legacy.ciphertext, ''))).toBe(toHex(data));
    await expect(decryptWithAlgorithm(legacyAlg, legacy.ciphertext, null)).rejects.toBeInstanceOf(PbeDecryptError);
    const modern = await encryptPbes2(data, null, { iterations: 10 });
    expect(toHex(await decryptWithAlgorithm(readDer(modern.algorithmIdentifier, 'alg'), modern.ciphertext, ''))).toBe(toHex(data));
  });

  it('round-trips every PKCS#12 scheme it writes', async () => {
    const data = Uint8Array.from({ length: 33 }, (_, i) => i);
    for (const algorithm of [OID.pbeWithSHAAnd3KeyTripleDESCBC, OID.pbeWithSHAAnd2KeyTripleDESCBC, OID.pbeWithSHAAnd128BitRC2CBC, OID.pbeWithSHAAnd40BitRC2CBC] as const) {
      const { algorithmIdentifier: alg, ciphertext } = await encryptPkcs12Pbe(data, 'pw', { algorithm, iterations: 3 });
      expect(toHex(await decryptWithAlgorithm(readDer(alg, 'alg'), ciphertext, 'pw'))).toBe(toHex(data));
    }
  });

  it('names an unknown scheme OID in UnsupportedAlgorithmError', async () => {
    const alg = readDer(algorithmIdentifier('1.2.3.4.5.6', sequence(octetString(new Uint8Array(8)), integer(1))), 'alg');
    await expect(decryptWithAlgorithm(alg, new Uint8Array(16), 'pw')).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM', algorithm: '1.2.3.4.5.6' });
  });

  it('names an unknown PBES2 cipher and PRF', async () => {
    const kdf = algorithmIdentifier(OID.pbkdf2, sequence(octetString(new Uint8Array(8)), integer(1)));
    const cipher = algorithmIdentifier('1.3.6.1.4.1.3029.1.2', octetString(new Uint8Array(8)));
    const alg = readDer(algorithmIdentifier(OID.pbes2, sequence(kdf, cipher)), 'alg');
    await expect(decryptWithAlgorithm(alg, new Uint8Array(16), 'pw')).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM', algorithm: '1.3.6.1.4.1.3029.1.2' });
    const kdf2 = algorithmIdentifier(OID.pbkdf2, sequence(octetString(new Uint8Array(8)), integer(1), algorithmIdentifier('1.2.840.113549.2.99')));
    const alg2 = readDer(algorithmIdentifier(OID.pbes2, sequence(kdf2, algorithmIdentifier(OID.aes128CBC, octetString(new Uint8Array(16))))), 'alg');
    await expect(decryptWithAlgorithm(alg2, new Uint8Array(16), 'pw')).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_ALGORITHM', algorithm: '1.2.840.113549.2.99' });
  });

  it('rejects an absurd iteration count at once, for both scheme families', async () => {
    const started = Date.now();
    const pkcs12 = readDer(algorithmIdentifier(OID.pbeWithSHAAnd3KeyTripleDESCBC, sequence(octetString(new Uint8Array(8)), integer(2 ** 31 - 1))), 'alg');
    await expect(decryptWithAlgorithm(pkcs12, new Uint8Array(16), 'pw')).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    const kdf = algorithmIdentifier(OID.pbkdf2, sequence(octetString(new Uint8Array(8)), integer(10_000_001)));
    const pbes2 = readDer(algorithmIdentifier(OID.pbes2, sequence(kdf, algorithmIdentifier(OID.aes128CBC, octetString(new Uint8Array(16))))), 'alg');
    await expect(decryptWithAlgorithm(pbes2, new Uint8Array(16), 'pw')).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects a wrong IV length and a keyLength that does not fit the cipher as format errors', async () => {
    const kdf = algorithmIdentifier(OID.pbkdf2, sequence(octetString(new Uint8Array(8)), integer(1)));
    const badIv = readDer(algorithmIdentifier(OID.pbes2, sequence(kdf, algorithmIdentifier(OID.aes128CBC, octetString(new Uint8Array(8))))), 'alg');
    await expect(decryptWithAlgorithm(badIv, new Uint8Array(16), 'pw')).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    const kdfLen = algorithmIdentifier(OID.pbkdf2, sequence(octetString(new Uint8Array(8)), integer(1), integer(32)));
    const badLen = readDer(algorithmIdentifier(OID.pbes2, sequence(kdfLen, algorithmIdentifier(OID.aes128CBC, octetString(new Uint8Array(16))))), 'alg');
    await expect(decryptWithAlgorithm(badLen, new Uint8Array(16), 'pw')).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
  });

  it('RC2-CBC under PBES2: a key of no bytes or over 128, or an unknown parameter version, is a format error, not a crash', async () => {
    const rc2 = (kdfFields: Uint8Array[], params: Uint8Array): DerNode =>
      readDer(algorithmIdentifier(OID.pbes2, sequence(algorithmIdentifier(OID.pbkdf2, sequence(...kdfFields)), algorithmIdentifier(OID.rc2CBC, params))), 'alg');
    const salt = octetString(new Uint8Array(8));
    const long = rc2([salt, integer(1), integer(200)], sequence(integer(58), octetString(new Uint8Array(8))));
    await expect(decryptWithAlgorithm(long, new Uint8Array(16), 'pw')).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    // a key of no bytes: malformed, not a wrong password
    const empty = rc2([salt, integer(1), integer(0)], sequence(integer(58), octetString(new Uint8Array(8))));
    await expect(decryptWithAlgorithm(empty, new Uint8Array(16), 'pw')).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    const version = rc2([salt, integer(1), integer(16)], sequence(integer(7), octetString(new Uint8Array(8))));
    await expect(decryptWithAlgorithm(version, new Uint8Array(16), 'pw')).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    const iv = rc2([salt, integer(1), integer(16)], sequence(integer(58), octetString(new Uint8Array(5))));
    await expect(decryptWithAlgorithm(iv, new Uint8Array(16), 'pw')).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
  });

  it('reports ciphertext that is not whole blocks as a decryption failure, not a crash', async () => {
    const { algorithmIdentifier: alg, ciphertext } = await encryptPbes2(new Uint8Array(20), 'pw', { iterations: 1 });
    await expect(decryptWithAlgorithm(readDer(alg, 'alg'), ciphertext.subarray(0, 17), 'pw')).rejects.toBeInstanceOf(PbeDecryptError);
    await expect(decryptWithAlgorithm(readDer(alg, 'alg'), new Uint8Array(0), 'pw')).rejects.toBeInstanceOf(PbeDecryptError);
  });
});
