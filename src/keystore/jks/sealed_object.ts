import { causeWithoutOffset, KeystoreFormatError, UnsupportedAlgorithmError } from '../../errors.js';
import {
  JavaStreamWriter,
  SC,
  javaField,
  readJavaObject,
  type JavaClassSpec,
  type JavaObject,
  type JavaValue,
} from './java_serialization.js';
import { decodePbeParameters, encodePbeParameters, pbeDecrypt, pbeEncrypt, type PbeParameters } from './pbe_md5_des3.js';

/**
 * A JCEKS secret-key entry is a serialized javax.crypto.SealedObject (the JDK writes its
 * subclass com.sun.crypto.provider.SealedObjectForKeyProtector, and since JDK 8u171 refuses any
 * other top-level class) whose encryptedContent is, under PBEWithMD5AndTripleDES, a second
 * serialization stream holding the key: a javax.crypto.spec.SecretKeySpec (AES, Hmac*: what
 * keytool -genseckey makes) or a java.security.KeyRep (what SunJCE's DES, DESede and PBKDF2
 * key classes turn into via writeReplace). JDK 17 reads that inner stream through the
 * jceks.key.serialFilter, which admits only SecretKeySpec, KeyRep, KeyRep$Type and Enum, so we
 * write a SecretKeySpec. Class names and serialVersionUIDs below are those JDK 17 writes.
 */
export const PBE_MD5_DES3_NAME = 'PBEWithMD5AndTripleDES';

const BYTE_ARRAY: JavaClassSpec = { name: '[B', serialVersionUID: -0x530ce807f9f7ab20n, flags: SC.SERIALIZABLE, fields: [] };

const SEALED_OBJECT: JavaClassSpec = {
  name: 'javax.crypto.SealedObject',
  serialVersionUID: 0x3e363da6c3b75470n,
  flags: SC.SERIALIZABLE,
  fields: [
    { name: 'encodedParams', signature: '[B' },
    { name: 'encryptedContent', signature: '[B' },
    { name: 'paramsAlg', signature: 'Ljava/lang/String;' },
    { name: 'sealAlg', signature: 'Ljava/lang/String;' },
  ],
};

const SEALED_OBJECT_FOR_KEY_PROTECTOR: JavaClassSpec = {
  name: 'com.sun.crypto.provider.SealedObjectForKeyProtector',
  serialVersionUID: -0x32a835a618cf44adn,
  flags: SC.SERIALIZABLE,
  fields: [],
  superClass: SEALED_OBJECT,
};

const SECRET_KEY_SPEC: JavaClassSpec = {
  name: 'javax.crypto.spec.SecretKeySpec',
  serialVersionUID: 0x5b470b66e230614dn,
  flags: SC.SERIALIZABLE,
  fields: [
    { name: 'algorithm', signature: 'Ljava/lang/String;' },
    { name: 'key', signature: '[B' },
  ],
};

const STREAM_HEADER = [0xac, 0xed, 0x00, 0x05];

/** The SealedObject's fields, as read from a JCEKS entry. */
export interface SealedObjectFields {
  className: string;
  sealAlg: string;
  paramsAlg: string;
  encodedParams: Uint8Array;
  encryptedContent: Uint8Array;
}

/** Parses the serialized SealedObject at the start of `bytes`; `offset` is its place in the file. */
export function readSealedObject(bytes: Uint8Array, offset: number): { sealed: SealedObjectFields; length: number } {
  const { value, length } = readJavaObject(bytes, offset);
  if (!isObject(value)) throw new UnsupportedAlgorithmError(describe(value), 'JCEKS secret-key entry: expected a javax.crypto.SealedObject');
  const isSealed = value.classData.some((c) => c.className === SEALED_OBJECT.name);
  if (!isSealed) {
    throw new UnsupportedAlgorithmError(value.classDesc.name, 'JCEKS secret-key entry: expected a javax.crypto.SealedObject');
  }
  const sealAlg = javaField(value, 'sealAlg');
  const paramsAlg = javaField(value, 'paramsAlg');
  const encodedParams = byteArrayField(value, 'encodedParams');
  const encryptedContent = byteArrayField(value, 'encryptedContent');
  if (typeof sealAlg !== 'string' || !encryptedContent) {
    throw new KeystoreFormatError('SealedObject without its algorithm or content', offset);
  }
  return {
    sealed: {
      className: value.classDesc.name,
      sealAlg,
      paramsAlg: typeof paramsAlg === 'string' ? paramsAlg : '',
      encodedParams: encodedParams ?? new Uint8Array(0),
      encryptedContent,
    },
    length,
  };
}

/** The PBE parameters, refusing any sealing algorithm but the one the JDK uses. */
export function sealedObjectParameters(sealed: SealedObjectFields, offset: number): PbeParameters {
  if (sealed.sealAlg !== PBE_MD5_DES3_NAME) throw new UnsupportedAlgorithmError(sealed.sealAlg, 'JCEKS sealed object algorithm');
  if (sealed.paramsAlg !== '' && sealed.paramsAlg !== PBE_MD5_DES3_NAME) {
    throw new UnsupportedAlgorithmError(sealed.paramsAlg, 'JCEKS sealed object parameters');
  }
  return decodePbeParameters(sealed.encodedParams, offset);
}

/**
 * The key inside, or undefined when the password does not open it. `offset` is the entry's
 * place in the file, for errors.
 */
export function unsealSecretKey(sealed: SealedObjectFields, password: string, offset: number): { algorithm: string; key: Uint8Array } | undefined {
  const params = sealedObjectParameters(sealed, offset);
  const plain = pbeDecrypt(sealed.encryptedContent, password, params);
  // Padding that happens to check out under a wrong password leaves garbage, not a stream.
  if (!plain || !STREAM_HEADER.every((b, i) => plain[i] === b)) return undefined;
  let value: JavaValue;
  try {
    value = readJavaObject(plain).value;
  } catch (cause) {
    if (cause instanceof UnsupportedAlgorithmError) throw cause;
    throw new KeystoreFormatError(`malformed key inside the JCEKS sealed object: ${causeWithoutOffset(cause)}`, offset, { cause });
  }
  return keyFromObject(value);
}

function keyFromObject(value: JavaValue): { algorithm: string; key: Uint8Array } {
  if (!isObject(value)) throw new UnsupportedAlgorithmError(describe(value), 'key inside a JCEKS sealed object');
  const className = value.classDesc.name;
  if (className === SECRET_KEY_SPEC.name) {
    const algorithm = javaField(value, 'algorithm');
    const key = byteArrayField(value, 'key');
    if (typeof algorithm !== 'string' || !key) throw new KeystoreFormatError('SecretKeySpec without algorithm or key bytes');
    return { algorithm, key };
  }
  if (className === 'java.security.KeyRep') {
    const type = javaField(value, 'type');
    const format = javaField(value, 'format');
    const algorithm = javaField(value, 'algorithm');
    const encoded = byteArrayField(value, 'encoded');
    const typeName = type && typeof type === 'object' && type.kind === 'enum' ? type.constant : undefined;
    if (typeName !== 'SECRET' || format !== 'RAW') {
      throw new UnsupportedAlgorithmError(`KeyRep ${typeName ?? '?'}/${typeof format === 'string' ? format : '?'}`, 'key inside a JCEKS sealed object');
    }
    if (typeof algorithm !== 'string' || !encoded) throw new KeystoreFormatError('KeyRep without algorithm or key bytes');
    return { algorithm, key: encoded };
  }
  throw new UnsupportedAlgorithmError(className, 'key class inside a JCEKS sealed object');
}

/** The serialization stream of a javax.crypto.spec.SecretKeySpec, the one key class every JDK's filter admits. */
export function serializeSecretKeySpec(algorithm: string, key: Uint8Array): Uint8Array {
  return new JavaStreamWriter().beginObject(SECRET_KEY_SPEC).string(algorithm).byteArray(BYTE_ARRAY, key).finish();
}

/** A serialized SealedObjectForKeyProtector holding a SecretKeySpec, as JDK 17 writes and reads. */
export function sealSecretKey(algorithm: string, key: Uint8Array, password: string, params: PbeParameters): Uint8Array {
  const encryptedContent = pbeEncrypt(serializeSecretKeySpec(algorithm, key), password, params);
  return new JavaStreamWriter()
    .beginObject(SEALED_OBJECT_FOR_KEY_PROTECTOR)
    .byteArray(BYTE_ARRAY, encodePbeParameters(params))
    .byteArray(BYTE_ARRAY, encryptedContent)
    .string(PBE_MD5_DES3_NAME)
    .string(PBE_MD5_DES3_NAME)
    .finish();
}

function isObject(value: JavaValue | undefined): value is JavaObject {
  return typeof value === 'object' && value !== null && value.kind === 'object';
}

function byteArrayField(object: JavaObject, name: string): Uint8Array | undefined {
  const value = javaField(object, name);
  if (typeof value === 'object' && value !== null && value.kind === 'array' && value.elements instanceof Uint8Array) return value.elements;
  return undefined;
}

function describe(value: JavaValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return `java ${typeof value}`;
  if ('classDesc' in value) return value.classDesc.name;
  return value.kind;
}
