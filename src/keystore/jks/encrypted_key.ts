import { readDer, type DerNode } from '../../asn1/der_reader.js';
import { algorithmIdentifier, nullValue, octetString, sequence } from '../../asn1/der_writer.js';
import { OID } from '../../asn1/oids.js';
import { causeWithoutOffset, KeystoreFormatError, UnsupportedAlgorithmError } from '../../errors.js';
import { sunProtect, sunRecover } from './key_protector.js';
import { encodePbeParameters, newPbeParameters, pbeDecrypt, pbeEncrypt, pbeParametersFromNode } from './pbe_md5_des3.js';

/**
 * A private key entry holds an EncryptedPrivateKeyInfo: JKS always under Sun's key protector,
 * JCEKS under PBEWithMD5AndTripleDES (and it still reads Sun-protected keys, as the JDK does,
 * since keytool could import them from a JKS).
 */
export type KeyProtection = 'sun' | 'pbe';

export interface EncryptedKeyInfo {
  protection: KeyProtection;
  algorithm: DerNode;
  parameters: DerNode | undefined;
  data: Uint8Array;
}

/** Parses the EncryptedPrivateKeyInfo; `offset` is where it sits in the file. */
export function readEncryptedKey(der: Uint8Array, offset: number): EncryptedKeyInfo {
  let oid: string;
  let algorithm: DerNode;
  let parameters: DerNode | undefined;
  let data: Uint8Array;
  try {
    const [algId, encrypted] = readDer(der, 'EncryptedPrivateKeyInfo').sequence('EncryptedPrivateKeyInfo');
    if (!algId || !encrypted) throw new Error('incomplete EncryptedPrivateKeyInfo');
    const parts = algId.sequence('AlgorithmIdentifier');
    algorithm = parts[0]!;
    oid = algorithm.oid('key protection algorithm');
    parameters = parts[1];
    data = encrypted.octets('encrypted key');
  } catch (cause) {
    throw new KeystoreFormatError(`malformed protected private key: ${causeWithoutOffset(cause)}`, offset, { cause });
  }
  if (oid === OID.sunJksKeyProtector) return { protection: 'sun', algorithm, parameters, data };
  if (oid === OID.pbeWithMD5AndTripleDES) {
    if (!parameters) throw new KeystoreFormatError('PBEWithMD5AndTripleDES without parameters', offset);
    return { protection: 'pbe', algorithm, parameters, data };
  }
  throw new UnsupportedAlgorithmError(oid, 'private key protection in a JKS/JCEKS keystore');
}

/** The PKCS#8 key, or undefined when the password is wrong. */
export function recoverPrivateKey(info: EncryptedKeyInfo, password: string, offset: number): Uint8Array | undefined {
  if (info.protection === 'sun') return sunRecover(info.data, password);
  const params = pbeParametersFromNode(info.parameters!, offset);
  const plain = pbeDecrypt(info.data, password, params);
  // With no check value, a wrong password shows as bad padding or, 1 time in 256, as garbage.
  return plain && looksLikePkcs8(plain) ? plain : undefined;
}

function looksLikePkcs8(bytes: Uint8Array): boolean {
  try {
    const [version, algId, key] = readDer(bytes, 'PKCS#8').sequence('PrivateKeyInfo');
    return !!version && !!algId && !!key && version.integer('version') <= 1 && algId.sequence('algorithm').length >= 1 && key.octets().length > 0;
  } catch {
    return false;
  }
}

export function protectPrivateKey(protection: KeyProtection, pkcs8: Uint8Array, password: string, iterations: number): Uint8Array {
  if (protection === 'sun') {
    return sequence(algorithmIdentifier(OID.sunJksKeyProtector, nullValue()), octetString(sunProtect(pkcs8, password)));
  }
  const params = newPbeParameters(iterations);
  return sequence(
    algorithmIdentifier(OID.pbeWithMD5AndTripleDES, encodePbeParameters(params)),
    octetString(pbeEncrypt(pkcs8, password, params)),
  );
}
