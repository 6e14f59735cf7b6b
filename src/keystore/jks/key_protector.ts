import { randomBytes } from 'node:crypto';
import { digest } from '../../crypto/digest.js';
import { concatBytes, constantTimeEqual, utf16be } from '../../lib/bytes.js';

/**
 * Sun's proprietary JKS key protector (OID 1.3.6.1.4.1.42.2.17.1.1). Its "ciphertext" is
 * salt(20) || plaintext XOR keystream || SHA-1(password || plaintext), the keystream being the
 * chain SHA-1(password || previous block) started from the salt. The password is the UTF-16BE
 * of its Java chars. Weak by design, but the trailing check value tells a wrong password with
 * certainty, which is why JKS can report "wrong key password" precisely.
 */
const SALT_LENGTH = 20;
const DIGEST_LENGTH = 20;

function keystream(password: Uint8Array, salt: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let block = salt;
  for (let pos = 0; pos < length; pos += DIGEST_LENGTH) {
    block = digest('sha1', password, block);
    out.set(block.subarray(0, Math.min(DIGEST_LENGTH, length - pos)), pos);
  }
  return out;
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** The protected form of a PKCS#8 key (the encryptedData of the EncryptedPrivateKeyInfo). */
export function sunProtect(plain: Uint8Array, password: string, salt: Uint8Array = new Uint8Array(randomBytes(SALT_LENGTH))): Uint8Array {
  if (salt.length !== SALT_LENGTH) throw new TypeError(`the JKS key protector needs a ${SALT_LENGTH}-byte salt`);
  const pw = utf16be(password);
  const encrypted = xor(plain, keystream(pw, salt, plain.length));
  return concatBytes([salt, encrypted, digest('sha1', pw, plain)]);
}

/** The PKCS#8 key, or undefined when the check value says the password is wrong. */
export function sunRecover(data: Uint8Array, password: string): Uint8Array | undefined {
  if (data.length < SALT_LENGTH + DIGEST_LENGTH) return undefined;
  const pw = utf16be(password);
  const salt = data.subarray(0, SALT_LENGTH);
  const encrypted = data.subarray(SALT_LENGTH, data.length - DIGEST_LENGTH);
  const check = data.subarray(data.length - DIGEST_LENGTH);
  const plain = xor(encrypted, keystream(pw, salt, encrypted.length));
  return constantTimeEqual(digest('sha1', pw, plain), check) ? plain : undefined;
}
