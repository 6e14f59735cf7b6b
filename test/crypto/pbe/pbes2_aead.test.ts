import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { algorithmIdentifier, bmpString, explicit, integer, nullValue, octetString, oid, sequence, setOf } from '../../../src/asn1/der_writer.js';
import { OID } from '../../../src/asn1/oids.js';
import { decryptPrivateKeyInfo } from '../../../src/crypto/pbe/encrypted_private_key_info.js';
import { PbeDecryptError } from '../../../src/crypto/pbe/pbe.js';
import { readPkcs12 } from '../../../src/keystore/pkcs12/read.js';
import { toHex } from '../../../src/lib/bytes.js';
import { buildPfx, dataContentInfo, makeMaterial, type Material } from '../../keystore/pkcs12/pfx_builder.js';
import { tempDir } from '../../helpers/tools.js';

/**
 * PBES2 with AES-GCM and AES-CCM (RFC 5084 parameters, the tag after the ciphertext), as newer
 * BouncyCastle releases write shrouded keys (PKCS12-AES256-AES128-GCM) and BCFKS its contents.
 * The ciphertexts are made here with Node's own PBKDF2 and AES (OpenSSL), not hapki's code.
 */
const GCM: Record<number, string> = { 16: '2.16.840.1.101.3.4.1.6', 24: '2.16.840.1.101.3.4.1.26', 32: '2.16.840.1.101.3.4.1.46' };
const CCM: Record<number, string> = { 16: '2.16.840.1.101.3.4.1.7', 32: '2.16.840.1.101.3.4.1.47' };

function aeadEncrypted(plaintext: Uint8Array, password: string, mode: 'gcm' | 'ccm', keyLength: number, tagLength: number, nonceLength = 12, writeTagLength = true): Uint8Array {
  const salt = randomBytes(16);
  const iterations = 2048;
  const key = pbkdf2Sync(password, salt, iterations, keyLength, 'sha256');
  const nonce = randomBytes(nonceLength);
  const name = `aes-${keyLength * 8}-${mode}` as 'aes-256-gcm';
  const cipher = createCipheriv(name, key, nonce, { authTagLength: tagLength });
  if (mode === 'ccm') (cipher as unknown as { setAAD(a: Buffer, o: { plaintextLength: number }): void }).setAAD(Buffer.alloc(0), { plaintextLength: plaintext.length });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const ciphertext = new Uint8Array(Buffer.concat([body, cipher.getAuthTag()]));
  const kdf = algorithmIdentifier(OID.pbkdf2, sequence(octetString(salt), integer(iterations), algorithmIdentifier(OID.hmacWithSHA256, nullValue())));
  const params = writeTagLength ? sequence(octetString(nonce), integer(tagLength)) : sequence(octetString(nonce));
  const scheme = algorithmIdentifier((mode === 'gcm' ? GCM : CCM)[keyLength]!, params);
  return sequence(algorithmIdentifier(OID.pbes2, sequence(kdf, scheme)), octetString(ciphertext));
}

let material: Material;
beforeAll(async () => {
  material = await makeMaterial(tempDir('hapki-aead-'));
});

describe('PBES2 with AES-GCM / AES-CCM', () => {
  it.each([
    ['AES-256-GCM, 16-byte tag', 'gcm', 32, 16, true],
    ['AES-128-GCM, the default 12-byte tag left out', 'gcm', 16, 12, false],
    ['AES-192-GCM, 16-byte tag', 'gcm', 24, 16, true],
    ['AES-256-CCM, 8-byte tag (BCFKS)', 'ccm', 32, 8, true],
    ['AES-128-CCM, 16-byte tag', 'ccm', 16, 16, true],
  ] as const)('%s: opens with the password, a wrong one or a flipped tag bit is a decryption failure', async (_label, mode, keyLength, tagLength, writeTag) => {
    const encrypted = aeadEncrypted(material.pkcs8, 'pässwört', mode, keyLength, tagLength, 12, writeTag);
    expect(toHex(await decryptPrivateKeyInfo(encrypted, 'pässwört'))).toBe(toHex(material.pkcs8));
    await expect(decryptPrivateKeyInfo(encrypted, 'wrong')).rejects.toBeInstanceOf(PbeDecryptError);
    const tampered = encrypted.slice();
    tampered[tampered.length - 1]! ^= 1;
    await expect(decryptPrivateKeyInfo(tampered, 'pässwört')).rejects.toBeInstanceOf(PbeDecryptError);
  });

  it('refuses a GCM tag under 12 bytes as a format error, not a decryption failure; CCM nonces of 12 and 13 bytes open', async () => {
    const shortTag = aeadEncrypted(material.pkcs8, 'p', 'gcm', 32, 8);
    await expect(decryptPrivateKeyInfo(shortTag, 'p')).rejects.toMatchObject({ code: 'ERR_KEYSTORE_FORMAT' });
    for (const nonceLength of [12, 13]) {
      expect(toHex(await decryptPrivateKeyInfo(aeadEncrypted(material.pkcs8, 'p', 'ccm', 32, 8, nonceLength), 'p'))).toBe(toHex(material.pkcs8));
    }
  });

  it('a PKCS#12 whose shrouded key is AES-256-GCM-encrypted lists the key, and a wrong password is ERR_KEYSTORE_PASSWORD', async () => {
    const password = 'gcm-store-pass';
    const keyBag = sequence(oid(OID.pkcs8ShroudedKeyBag), explicit(0, aeadEncrypted(material.pkcs8, password, 'gcm', 32, 16)), setOf(sequence(oid(OID.friendlyName), setOf(bmpString('gateway')))));
    const certBag = sequence(oid(OID.certBag), explicit(0, sequence(oid(OID.x509Certificate), explicit(0, octetString(material.cert)))));
    const authSafe = sequence(dataContentInfo(sequence(keyBag, certBag)));
    const pfx = await buildPfx(authSafe, password);
    const store = await readPkcs12(pfx, { password });
    expect(store.entries).toHaveLength(1);
    const entry = store.entries[0]!;
    expect(entry.type === 'private-key' && toHex(entry.key!)).toBe(toHex(material.pkcs8));
    expect(entry.type === 'private-key' && toHex(entry.chain[0]!)).toBe(toHex(material.cert));
    await expect(readPkcs12(pfx, { password: 'wrong' })).rejects.toMatchObject({ code: 'ERR_KEYSTORE_PASSWORD' });
  });
});
