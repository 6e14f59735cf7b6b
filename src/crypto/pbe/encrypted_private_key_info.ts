import { readDer } from '../../asn1/der_reader.js';
import { octetString, sequence } from '../../asn1/der_writer.js';
import { OID } from '../../asn1/oids.js';
import { KeystoreFormatError } from '../../errors.js';
import { decryptWithAlgorithm, encryptPbes2, encryptPkcs12Pbe, PbeDecryptError } from './pbe.js';

/**
 * EncryptedPrivateKeyInfo (RFC 5958 / PKCS#8): PEM's "ENCRYPTED PRIVATE KEY" and PKCS#12's
 * pkcs8ShroudedKeyBag.
 */

export interface EncryptPrivateKeyOptions {
  /** pbeWithSHAAnd3-KeyTripleDES-CBC instead of PBES2/AES-256, for readers that predate PBES2. */
  legacy?: boolean;
  iterations?: number;
}

/**
 * Returns the PKCS#8 PrivateKeyInfo. A wrong password throws PbeDecryptError, which the caller
 * maps to ERR_KEYSTORE_PASSWORD or ERR_KEY_PASSWORD; a malformed structure throws
 * KeystoreFormatError; an unknown scheme, UnsupportedAlgorithmError.
 */
export async function decryptPrivateKeyInfo(encryptedPrivateKeyInfo: Uint8Array, password: string | null): Promise<Uint8Array> {
  const info = readDer(encryptedPrivateKeyInfo, 'EncryptedPrivateKeyInfo');
  const fields = info.sequence('EncryptedPrivateKeyInfo');
  if (fields.length !== 2) throw new KeystoreFormatError('EncryptedPrivateKeyInfo must have two fields', info.offset);
  const ciphertext = info.child(1).octets('encryptedData');
  const plaintext = await decryptWithAlgorithm(info.child(0), ciphertext, password);
  // One wrong key in 256 still unpads cleanly; a result that is not DER is that case.
  if (!looksLikePrivateKeyInfo(plaintext)) throw new PbeDecryptError('decrypted private key is not DER: wrong password or corrupt data');
  return plaintext;
}

export async function encryptPrivateKeyInfo(
  pkcs8: Uint8Array,
  password: string | null,
  options: EncryptPrivateKeyOptions = {},
): Promise<Uint8Array> {
  const iterations = options.iterations === undefined ? {} : { iterations: options.iterations };
  const { algorithmIdentifier, ciphertext } = options.legacy
    ? await encryptPkcs12Pbe(pkcs8, password, { algorithm: OID.pbeWithSHAAnd3KeyTripleDESCBC, ...iterations })
    : await encryptPbes2(pkcs8, password, iterations);
  return sequence(algorithmIdentifier, octetString(ciphertext));
}

function looksLikePrivateKeyInfo(bytes: Uint8Array): boolean {
  try {
    const node = readDer(bytes, 'PrivateKeyInfo');
    return node.sequence('PrivateKeyInfo').length >= 3;
  } catch {
    return false;
  }
}
