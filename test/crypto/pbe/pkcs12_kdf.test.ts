import { describe, expect, it } from 'vitest';
import { derivePkcs12Key, Pkcs12KdfPurpose, pkcs12PasswordBytes, type Pkcs12KdfHash } from '../../../src/crypto/pbe/pkcs12_kdf.js';
import { fromHex, toHex } from '../../../src/lib/bytes.js';
import { openssl } from '../../helpers/tools.js';

describe('PKCS#12 key derivation (RFC 7292 appendix B)', () => {
  it('encodes passwords as BMPString with a terminator; the absent password is empty', () => {
    expect(toHex(pkcs12PasswordBytes('smeg'))).toBe('0073006d006500670000');
    expect(toHex(pkcs12PasswordBytes(''))).toBe('0000');
    expect(toHex(pkcs12PasswordBytes(null))).toBe('');
    expect(toHex(pkcs12PasswordBytes('é€'))).toBe('00e920ac0000');
  });

  it('matches the long-published "smeg" known answers', async () => {
    const pass = pkcs12PasswordBytes('smeg');
    const salt = fromHex('0a58cf64530d823f');
    expect(toHex(await derivePkcs12Key('sha1', pass, salt, 1, Pkcs12KdfPurpose.key, 24))).toBe('8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3');
    expect(toHex(await derivePkcs12Key('sha1', pass, salt, 1, Pkcs12KdfPurpose.iv, 8))).toBe('79993dfe048d3b76');
  });

  // OpenSSL's PKCS12KDF takes the password bytes as given, so it is fed the BMPString form.
  const cases: [Pkcs12KdfHash, string | null, string, number, Pkcs12KdfPurpose, number][] = [
    ['sha1', 'changeit', '0102030405060708', 2048, Pkcs12KdfPurpose.key, 24],
    ['sha1', 'changeit', '0102030405060708', 2048, Pkcs12KdfPurpose.iv, 8],
    ['sha1', '', 'aabbccddeeff00112233445566778899aabbccdd', 3, Pkcs12KdfPurpose.mac, 20],
    ['sha256', 'pässwörd', 'aabbccddeeff0011', 1000, Pkcs12KdfPurpose.mac, 32],
    ['sha256', 'x'.repeat(70), '00', 2, Pkcs12KdfPurpose.key, 100],
    ['sha384', 'changeit', 'aabbccddeeff0011', 10, Pkcs12KdfPurpose.mac, 48],
    ['sha512', 'changeit', 'aabbccddeeff0011', 10, Pkcs12KdfPurpose.mac, 64],
    ['sha224', 'changeit', 'aabbccddeeff0011', 10, Pkcs12KdfPurpose.mac, 28],
    ['sha512', 'a longer password that crosses a 128-byte block boundary, for the carry in I_j + B + 1 ....', '11', 5, Pkcs12KdfPurpose.key, 150],
  ];
  it.each(cases)('agrees with openssl kdf PKCS12KDF (%s, %j, salt %s, %i iterations, id %i, %i bytes)', async (hash, password, salt, iterations, id, length) => {
    const pass = pkcs12PasswordBytes(password);
    const ours = await derivePkcs12Key(hash, pass, fromHex(salt), iterations, id, length);
    const args = ['kdf', '-keylen', String(length), '-kdfopt', `digest:${hash.toUpperCase()}`, '-kdfopt', `hexsalt:${salt}`];
    args.push('-kdfopt', `iter:${iterations}`, '-kdfopt', `id:${id}`, 'PKCS12KDF');
    if (pass.length > 0) args.splice(5, 0, '-kdfopt', `hexpass:${toHex(pass)}`);
    const { stdout } = await openssl(args);
    expect(toHex(ours)).toBe(stdout.trim().replace(/:/g, '').toLowerCase());
  });

  it('derives different keys for the empty and the absent password', async () => {
    const salt = fromHex('0102030405060708');
    const empty = await derivePkcs12Key('sha256', pkcs12PasswordBytes(''), salt, 1, Pkcs12KdfPurpose.mac, 32);
    const absent = await derivePkcs12Key('sha256', pkcs12PasswordBytes(null), salt, 1, Pkcs12KdfPurpose.mac, 32);
    expect(toHex(empty)).not.toBe(toHex(absent));
  });
});
