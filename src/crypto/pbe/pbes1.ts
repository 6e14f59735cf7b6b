import { createHash } from 'node:crypto';
import type { DerNode } from '../../asn1/der_reader.js';
import { KeystoreFormatError } from '../../errors.js';
import { utf8 } from '../../lib/bytes.js';
import { readIterations } from './iterations.js';
import { decryptRc2Cbc } from './rc2.js';
import { spendIterations } from './work_budget.js';

/**
 * PBES1 (RFC 8018 section 6.1): PBKDF1 with MD5 or SHA-1, then single DES or 64-bit RC2 in CBC
 * mode. Old, but still what `openssl pkcs8 -v1 PBE-MD5-DES` / `PBE-SHA1-DES` write and the
 * JDK's PBEWithMD5AndDES names; hapki reads it and never writes it. (The MD2 variants are not
 * read: no digest for MD2 is left in OpenSSL 3's default provider.)
 */
export const PBES1_SCHEMES: Readonly<Record<string, { hash: 'md5' | 'sha1'; cipher: 'des' | 'rc2' }>> = {
  '1.2.840.113549.1.5.3': { hash: 'md5', cipher: 'des' },
  '1.2.840.113549.1.5.6': { hash: 'md5', cipher: 'rc2' },
  '1.2.840.113549.1.5.10': { hash: 'sha1', cipher: 'des' },
  '1.2.840.113549.1.5.11': { hash: 'sha1', cipher: 'rc2' },
};

/** Decrypts PBES1 with PBEParameter { salt OCTET STRING (8), iterationCount INTEGER }. */
export function decryptPbes1(
  scheme: { hash: 'md5' | 'sha1'; cipher: 'des' | 'rc2' },
  params: DerNode,
  ciphertext: Uint8Array,
  password: string | null,
  desCbc: (key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array) => Uint8Array,
  onBadPadding: () => Error,
): Uint8Array {
  const fields = params.sequence('PBEParameter');
  const salt = params.child(0, 'PBE salt').octets('PBE salt');
  if (salt.length !== 8) throw new KeystoreFormatError(`PBES1 salt of ${salt.length} bytes, expected 8`, params.offset);
  const iterations = readIterations(params.child(1, 'PBE iteration count'), 'PBE iteration count');
  if (fields.length > 2) throw new KeystoreFormatError('unexpected field in PBEParameter', fields[2]!.offset);
  spendIterations(iterations);
  const derived = pbkdf1(scheme.hash, password === null ? new Uint8Array(0) : utf8(password), salt, iterations);
  const key = derived.subarray(0, 8);
  const iv = derived.subarray(8, 16);
  if (scheme.cipher === 'rc2') {
    const plaintext = decryptRc2Cbc(key, 64, iv, ciphertext);
    if (!plaintext) throw onBadPadding();
    return plaintext;
  }
  return desCbc(key, iv, ciphertext);
}

/** PBKDF1 (RFC 8018 section 5.1): T_1 = H(P || S), T_i = H(T_{i-1}); 16 bytes are all PBES1 uses. */
function pbkdf1(hash: 'md5' | 'sha1', password: Uint8Array, salt: Uint8Array, iterations: number): Uint8Array {
  let t = createHash(hash).update(password).update(salt).digest();
  for (let i = 1; i < iterations; i++) t = createHash(hash).update(t).digest();
  return new Uint8Array(t.subarray(0, 16));
}
