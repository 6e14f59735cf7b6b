import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DerNode } from '../../asn1/der_reader.js';
import { algorithmIdentifier, derChunks, DerStream, DerTree, encodeDer, integer, octetString, sequence, type DerPart } from '../../asn1/der_writer.js';
import { OID } from '../../asn1/oids.js';
import { KeystoreFormatError, UnsupportedAlgorithmError } from '../../errors.js';
import { utf8 } from '../../lib/bytes.js';
import { checkIterations, readIterations } from './iterations.js';
import { derivePbkdf2, pbkdf2Algorithm, readPbkdf2Algorithm, type Pbkdf2Params } from './pbkdf2.js';
import { derivePkcs12Key, Pkcs12KdfPurpose, pkcs12PasswordBytes } from './pkcs12_kdf.js';
import { decryptRc2Cbc, encryptRc2Cbc } from './rc2.js';
import { rc4 } from './rc4.js';
import { decryptPbes1, PBES1_SCHEMES } from './pbes1.js';
import { deriveScrypt, readScryptParams, SCRYPT_OID } from './scrypt.js';

/**
 * Password-based encryption as keystores use it: PBES2 (RFC 8018) and the PKCS#12 PBE
 * schemes (RFC 7292 appendix C).
 */

/**
 * The ciphertext did not decrypt: bad padding, which almost always means a wrong password.
 * Deliberately not a HapkiError: only the caller knows whether the password was the store's
 * (ERR_KEYSTORE_PASSWORD), an entry's (ERR_KEY_PASSWORD), or one already proven right by a MAC
 * (then the data is corrupt, ERR_KEYSTORE_FORMAT), so it must map this before it escapes.
 */
export class PbeDecryptError extends Error {
  constructor(message = 'decryption failed: wrong password or corrupt data') {
    super(message);
    this.name = 'PbeDecryptError';
  }
}

export interface PbeResult {
  /** The AlgorithmIdentifier (DER) naming the scheme and its parameters. */
  algorithmIdentifier: Uint8Array;
  ciphertext: Uint8Array;
}

/** The PKCS#12 PBE schemes hapki writes (it reads the RC4 ones too). */
export type Pkcs12PbeAlgorithm =
  | typeof OID.pbeWithSHAAnd3KeyTripleDESCBC
  | typeof OID.pbeWithSHAAnd2KeyTripleDESCBC
  | typeof OID.pbeWithSHAAnd128BitRC2CBC
  | typeof OID.pbeWithSHAAnd40BitRC2CBC;

interface Pkcs12Scheme {
  cipher: '3des' | 'rc2' | 'rc4';
  keyLength: number;
}

const PKCS12_SCHEMES: Readonly<Record<string, Pkcs12Scheme>> = {
  [OID.pbeWithSHAAnd3KeyTripleDESCBC]: { cipher: '3des', keyLength: 24 },
  [OID.pbeWithSHAAnd2KeyTripleDESCBC]: { cipher: '3des', keyLength: 16 },
  [OID.pbeWithSHAAnd128BitRC2CBC]: { cipher: 'rc2', keyLength: 16 },
  [OID.pbeWithSHAAnd40BitRC2CBC]: { cipher: 'rc2', keyLength: 5 },
  [OID.pbeWithSHAAnd128BitRC4]: { cipher: 'rc4', keyLength: 16 },
  [OID.pbeWithSHAAnd40BitRC4]: { cipher: 'rc4', keyLength: 5 },
};

interface Pbes2Cipher {
  nodeName: string;
  keyLength: number;
  ivLength: number;
}

const PBES2_CIPHERS: Readonly<Record<string, Pbes2Cipher>> = {
  [OID.aes128CBC]: { nodeName: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
  [OID.aes192CBC]: { nodeName: 'aes-192-cbc', keyLength: 24, ivLength: 16 },
  [OID.aes256CBC]: { nodeName: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
  [OID.desEde3CBC]: { nodeName: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
  // read only: `openssl pkcs8 -topk8 -v2 camellia-256-cbc`, `pkcs12 -keypbe aria-128-cbc`, ...
  [OID.camellia128CBC]: { nodeName: 'camellia-128-cbc', keyLength: 16, ivLength: 16 },
  [OID.camellia192CBC]: { nodeName: 'camellia-192-cbc', keyLength: 24, ivLength: 16 },
  [OID.camellia256CBC]: { nodeName: 'camellia-256-cbc', keyLength: 32, ivLength: 16 },
  [OID.aria128CBC]: { nodeName: 'aria-128-cbc', keyLength: 16, ivLength: 16 },
  [OID.aria192CBC]: { nodeName: 'aria-192-cbc', keyLength: 24, ivLength: 16 },
  [OID.aria256CBC]: { nodeName: 'aria-256-cbc', keyLength: 32, ivLength: 16 },
  [OID.sm4CBC]: { nodeName: 'sm4-cbc', keyLength: 16, ivLength: 16 },
};

interface Pbes2AeadCipher {
  mode: 'gcm' | 'ccm';
  keyLength: number;
}

/**
 * AES-GCM and AES-CCM under PBES2 (BouncyCastle's PKCS12-AES256-AES128-GCM keystores, the
 * contents of its BCFKS): parameters SEQUENCE { nonce OCTET STRING, ICVlen INTEGER DEFAULT 12 }
 * (RFC 5084), the tag after the ciphertext. Read only.
 */
const PBES2_AEAD_CIPHERS: Readonly<Record<string, Pbes2AeadCipher>> = {
  '2.16.840.1.101.3.4.1.6': { mode: 'gcm', keyLength: 16 },
  '2.16.840.1.101.3.4.1.26': { mode: 'gcm', keyLength: 24 },
  '2.16.840.1.101.3.4.1.46': { mode: 'gcm', keyLength: 32 },
  '2.16.840.1.101.3.4.1.7': { mode: 'ccm', keyLength: 16 },
  '2.16.840.1.101.3.4.1.27': { mode: 'ccm', keyLength: 24 },
  '2.16.840.1.101.3.4.1.47': { mode: 'ccm', keyLength: 32 },
};

function readAeadParameters(cipher: Pbes2AeadCipher, params: DerNode): { nonce: Uint8Array; tagLength: number } {
  const what = `AES-${cipher.mode.toUpperCase()} parameters`;
  const fields = params.sequence(what);
  const nonceNode = params.child(0, `${what} nonce`);
  const nonce = nonceNode.octets(`${what} nonce`);
  const tagNode = fields[1];
  const tagLength = tagNode ? tagNode.integer(`${what} ICV length`, 16) : 12;
  if (fields.length > 2) throw new KeystoreFormatError(`unexpected field in ${what}`, fields[2]!.offset);
  const nonceOk = cipher.mode === 'gcm' ? nonce.length >= 1 && nonce.length <= 64 : nonce.length >= 7 && nonce.length <= 13;
  if (!nonceOk) throw new KeystoreFormatError(`${what}: a nonce of ${nonce.length} bytes`, nonceNode.offset);
  const tagOk = cipher.mode === 'gcm' ? tagLength >= 12 && tagLength <= 16 : tagLength >= 4 && tagLength <= 16 && tagLength % 2 === 0;
  if (!tagOk) throw new KeystoreFormatError(`${what}: an ICV of ${tagLength} bytes`, tagNode!.offset);
  return { nonce, tagLength };
}

/** A wrong password fails the tag check, as bad padding does for CBC: PbeDecryptError. */
function aeadDecrypt(cipher: Pbes2AeadCipher, key: Uint8Array, nonce: Uint8Array, tagLength: number, data: Uint8Array): Uint8Array {
  if (data.length < tagLength) throw new PbeDecryptError('ciphertext shorter than its authentication tag');
  const body = data.subarray(0, data.length - tagLength);
  const tag = data.subarray(data.length - tagLength);
  const name = `aes-${cipher.keyLength * 8}-${cipher.mode}`;
  try {
    if (cipher.mode === 'gcm') {
      const decipher = createDecipheriv(name as 'aes-256-gcm', key, nonce, { authTagLength: tagLength });
      decipher.setAuthTag(tag);
      return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
    }
    const decipher = createDecipheriv(name as 'aes-256-ccm', key, nonce, { authTagLength: tagLength });
    decipher.setAuthTag(tag);
    decipher.setAAD(new Uint8Array(0), { plaintextLength: body.length });
    return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
  } catch (cause) {
    throw Object.assign(new PbeDecryptError(), { cause });
  }
}

/** The JDK's PKCS#12 PBE salt length (OpenSSL uses 8); every reader takes either. */
const PKCS12_SALT_LENGTH = 20;
const PBES2_SALT_LENGTH = 16;
export const DEFAULT_PBE_ITERATIONS = 10_000;

/**
 * Decrypts with the scheme the AlgorithmIdentifier names. `null` is the absent password (for
 * the PKCS#12 schemes, zero bytes rather than the two-byte terminator of ""). Throws
 * PbeDecryptError on bad padding, KeystoreFormatError on malformed parameters and
 * UnsupportedAlgorithmError (naming the OID) on schemes hapki does not know.
 */
/**
 * `inPlace`: the caller gives up `ciphertext`, and the plaintext may be written over it (AES and
 * 3DES; the result is then a view of the same memory): a large store's contents are held once.
 */
export async function decryptWithAlgorithm(algorithm: DerNode, ciphertext: Uint8Array, password: string | null, options: { inPlace?: boolean } = {}): Promise<Uint8Array> {
  const [oidNode, params] = algorithm.sequence('encryption AlgorithmIdentifier');
  if (!oidNode) throw new KeystoreFormatError('empty encryption AlgorithmIdentifier', algorithm.offset);
  const oid = oidNode.oid('encryption algorithm');
  if (oid === OID.pbes2) {
    if (!params) throw new KeystoreFormatError('PBES2 without parameters', algorithm.offset);
    return decryptPbes2(params, ciphertext, password, options.inPlace ?? false);
  }
  const scheme = PKCS12_SCHEMES[oid];
  if (scheme) {
    if (!params) throw new KeystoreFormatError('PKCS#12 PBE without parameters', algorithm.offset);
    return decryptPkcs12Pbe(scheme, params, ciphertext, password, options.inPlace ?? false);
  }
  const pbes1 = PBES1_SCHEMES[oid];
  if (pbes1) {
    if (!params) throw new KeystoreFormatError('PBES1 without parameters', algorithm.offset);
    // single DES is triple DES with three equal keys, which saves asking OpenSSL 3 for its legacy provider
    const desCbc = (key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array => nodeDecrypt('des-ede3-cbc', new Uint8Array([...key, ...key, ...key]), iv, data);
    return decryptPbes1(pbes1, params, ciphertext, password, desCbc, () => new PbeDecryptError());
  }
  throw new UnsupportedAlgorithmError(oid, 'password-based encryption');
}

async function decryptPbes2(params: DerNode, ciphertext: Uint8Array, password: string | null, inPlace: boolean): Promise<Uint8Array> {
  const fields = params.sequence('PBES2-params');
  const kdfNode = params.child(0, 'PBES2 keyDerivationFunc');
  const kdfOid = kdfNode.sequence('PBES2 keyDerivationFunc').at(0)?.oid('key derivation algorithm');
  const pbkdf2 = kdfOid === SCRYPT_OID ? undefined : readPbkdf2Algorithm(kdfNode);
  const derive = pbkdf2
    ? ((kdf: Pbkdf2Params) => (password: Uint8Array, length: number) => derivePbkdf2(password, kdf, length))(pbkdf2)
    : ((p: DerNode) => (password: Uint8Array, length: number) => deriveScrypt(password, readScryptParams(p), length))(kdfNode.child(1, 'scrypt-params'));
  const scheme = params.child(1, 'PBES2 encryptionScheme');
  if (fields.length > 2) throw new KeystoreFormatError('unexpected field in PBES2-params', fields[2]!.offset);
  const [cipherOidNode, ivNode] = scheme.sequence('PBES2 encryptionScheme');
  if (!cipherOidNode) throw new KeystoreFormatError('empty PBES2 encryptionScheme', scheme.offset);
  const cipherOid = cipherOidNode.oid('PBES2 cipher');
  const aead = PBES2_AEAD_CIPHERS[cipherOid];
  if (aead) {
    if (!ivNode) throw new KeystoreFormatError(`PBES2 ${aead.mode.toUpperCase()} without parameters`, scheme.offset);
    const { nonce, tagLength } = readAeadParameters(aead, ivNode);
    const key = await derive(pbes2PasswordBytes(password), aead.keyLength);
    return aeadDecrypt(aead, key, nonce, tagLength, ciphertext);
  }
  if (cipherOid === OID.rc2CBC) {
    if (!ivNode) throw new KeystoreFormatError('PBES2 RC2-CBC without parameters', scheme.offset);
    const { effectiveBits, iv } = readRc2CbcParameters(ivNode);
    // RC2's key length is not fixed: PBKDF2 states it (RFC 8018 B.2.3); 16 bytes where it does not
    const keyLength = pbkdf2?.keyLength ?? 16;
    if (keyLength < 1 || keyLength > 128) throw new KeystoreFormatError(`RC2 key of ${keyLength} bytes (1 to 128)`, kdfNode.offset);
    const key = await derive(pbes2PasswordBytes(password), keyLength);
    const plaintext = decryptRc2Cbc(key, effectiveBits, iv, ciphertext);
    if (!plaintext) throw new PbeDecryptError();
    return plaintext;
  }
  if (cipherOid === OID.desCBC) {
    if (!ivNode) throw new KeystoreFormatError('PBES2 cipher without an IV', scheme.offset);
    const iv = ivNode.octets('PBES2 IV');
    if (iv.length !== 8) throw new KeystoreFormatError(`PBES2 IV of ${iv.length} bytes, expected 8`, ivNode.offset);
    const key = await derive(pbes2PasswordBytes(password), 8);
    // single DES is 3DES with three equal keys, so OpenSSL's legacy provider is not needed
    return nodeDecrypt('des-ede3-cbc', new Uint8Array([...key, ...key, ...key]), iv, ciphertext, inPlace);
  }
  const cipher = PBES2_CIPHERS[cipherOid];
  if (!cipher) throw new UnsupportedAlgorithmError(cipherOid, 'PBES2 encryption scheme');
  if (!ivNode) throw new KeystoreFormatError('PBES2 cipher without an IV', scheme.offset);
  const iv = ivNode.octets('PBES2 IV');
  if (iv.length !== cipher.ivLength) throw new KeystoreFormatError(`PBES2 IV of ${iv.length} bytes, expected ${cipher.ivLength}`, ivNode.offset);
  const key = await derive(pbes2PasswordBytes(password), cipher.keyLength);
  return nodeDecrypt(cipher.nodeName, key, iv, ciphertext, inPlace);
}

/**
 * RC2-CBC-Parameter ::= SEQUENCE { rc2ParameterVersion INTEGER OPTIONAL, iv OCTET STRING (8) }
 * (RFC 8018 B.2.3): versions 160, 120 and 58 stand for 40, 64 and 128 effective key bits, a
 * version of 256 or more is the number of bits itself; absent, 32 bits.
 */
function readRc2CbcParameters(params: DerNode): { effectiveBits: number; iv: Uint8Array } {
  const fields = params.sequence('RC2-CBC parameters');
  if (fields.length < 1 || fields.length > 2) throw new KeystoreFormatError('RC2-CBC parameters of an unexpected shape', params.offset);
  const ivNode = fields[fields.length - 1]!;
  const iv = ivNode.octets('RC2-CBC IV');
  if (iv.length !== 8) throw new KeystoreFormatError(`RC2-CBC IV of ${iv.length} bytes, expected 8`, ivNode.offset);
  if (fields.length === 1) return { effectiveBits: 32, iv };
  const version = fields[0]!.integer('RC2 parameter version');
  const named: Readonly<Record<number, number>> = { 160: 40, 120: 64, 58: 128 };
  const effectiveBits = named[version] ?? (version >= 256 && version <= 1024 ? version : undefined);
  if (effectiveBits === undefined) throw new KeystoreFormatError(`RC2 parameter version ${version} names no key size`, fields[0]!.offset);
  return { effectiveBits, iv };
}

async function decryptPkcs12Pbe(scheme: Pkcs12Scheme, params: DerNode, ciphertext: Uint8Array, password: string | null, inPlace: boolean): Promise<Uint8Array> {
  const fields = params.sequence('pkcs-12PbeParams');
  const salt = params.child(0, 'PBE salt').octets('PBE salt');
  const iterations = readIterations(params.child(1, 'PBE iteration count'), 'PBE iteration count');
  if (fields.length > 2) throw new KeystoreFormatError('unexpected field in pkcs-12PbeParams', fields[2]!.offset);
  const pass = pkcs12PasswordBytes(password);
  const key = await derivePkcs12Key('sha1', pass, salt, iterations, Pkcs12KdfPurpose.key, scheme.keyLength);
  if (scheme.cipher === 'rc4') return rc4(key, ciphertext);
  const iv = await derivePkcs12Key('sha1', pass, salt, iterations, Pkcs12KdfPurpose.iv, 8);
  if (scheme.cipher === 'rc2') {
    const plaintext = decryptRc2Cbc(key, scheme.keyLength * 8, iv, ciphertext);
    if (!plaintext) throw new PbeDecryptError();
    return plaintext;
  }
  return nodeDecrypt('des-ede3-cbc', tripleDesKey(key), iv, ciphertext, inPlace);
}

/**
 * PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC, a 16-byte random salt and a random IV:
 * what OpenSSL 3 and JDK 17 write by default.
 */
export async function encryptPbes2(
  plaintext: DerPart,
  password: string | null,
  options: { iterations?: number } = {},
): Promise<PbeResult> {
  const { key, iv, algorithmIdentifier } = await pbes2Parameters(password, options);
  return { algorithmIdentifier, ciphertext: runCipher(createCipheriv('aes-256-cbc', key, iv), plaintext) };
}

/**
 * encryptPbes2 with the ciphertext as a DerStream: encrypted again each time it is read (for a
 * MAC, then into the file), so a store's ciphertext is never held beside the file it goes into.
 */
export async function encryptPbes2Streamed(
  plaintext: DerPart,
  password: string | null,
  options: { iterations?: number } = {},
): Promise<{ algorithmIdentifier: Uint8Array; ciphertext: DerStream }> {
  const { key, iv, algorithmIdentifier } = await pbes2Parameters(password, options);
  // PKCS#7 padding: one to a whole block is added
  const length = (Math.floor(plaintext.length / 16) + 1) * 16;
  return { algorithmIdentifier, ciphertext: new DerStream(length, () => cipherPieces(createCipheriv('aes-256-cbc', key, iv), plaintext)) };
}

async function pbes2Parameters(password: string | null, options: { iterations?: number }): Promise<{ key: Uint8Array; iv: Uint8Array; algorithmIdentifier: Uint8Array }> {
  const kdf: Pbkdf2Params = {
    salt: new Uint8Array(randomBytes(PBES2_SALT_LENGTH)),
    iterations: checkIterations(options.iterations ?? DEFAULT_PBE_ITERATIONS),
    keyLength: 32,
    prf: 'sha256',
  };
  const iv = new Uint8Array(randomBytes(16));
  const key = await derivePbkdf2(pbes2PasswordBytes(password), kdf, 32);
  const scheme = algorithmIdentifier(OID.aes256CBC, octetString(iv));
  return { key, iv, algorithmIdentifier: algorithmIdentifier(OID.pbes2, sequence(pbkdf2Algorithm(kdf), scheme)) };
}

/** A legacy PKCS#12 PBE scheme (3DES or RC2), as `openssl pkcs12 -legacy` writes. */
export async function encryptPkcs12Pbe(
  plaintext: DerPart,
  password: string | null,
  options: { algorithm?: Pkcs12PbeAlgorithm; iterations?: number } = {},
): Promise<PbeResult> {
  const oid = options.algorithm ?? OID.pbeWithSHAAnd3KeyTripleDESCBC;
  const scheme = PKCS12_SCHEMES[oid];
  if (!scheme || scheme.cipher === 'rc4') throw new TypeError(`hapki does not encrypt with ${oid}`);
  const iterations = checkIterations(options.iterations ?? DEFAULT_PBE_ITERATIONS);
  const salt = new Uint8Array(randomBytes(PKCS12_SALT_LENGTH));
  const pass = pkcs12PasswordBytes(password);
  const key = await derivePkcs12Key('sha1', pass, salt, iterations, Pkcs12KdfPurpose.key, scheme.keyLength);
  const iv = await derivePkcs12Key('sha1', pass, salt, iterations, Pkcs12KdfPurpose.iv, 8);
  let ciphertext: Uint8Array;
  if (scheme.cipher === 'rc2') {
    ciphertext = encryptRc2Cbc(key, scheme.keyLength * 8, iv, encodeDer(plaintext));
  } else {
    const cipher = createCipheriv('des-ede3-cbc', tripleDesKey(key), iv);
    ciphertext = runCipher(cipher, plaintext);
  }
  return { algorithmIdentifier: algorithmIdentifier(oid, sequence(octetString(salt), integer(iterations))), ciphertext };
}

/** RFC 8018 leaves the encoding to the application; OpenSSL and the JDK both use UTF-8. */
function pbes2PasswordBytes(password: string | null): Uint8Array {
  return password === null ? new Uint8Array(0) : utf8(password);
}

/** Two-key triple DES is three-key with K3 = K1, which saves asking OpenSSL for des-ede-cbc. */
function tripleDesKey(key: Uint8Array): Uint8Array {
  if (key.length === 24) return key;
  const full = new Uint8Array(24);
  full.set(key);
  full.set(key.subarray(0, 8), 16);
  return full;
}

function nodeDecrypt(name: string, key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, inPlace = false): Uint8Array {
  try {
    return runCipher(createDecipheriv(name, key, iv), ciphertext, inPlace ? ciphertext : undefined);
  } catch (cause) {
    throw Object.assign(new PbeDecryptError(), { cause });
  }
}

/**
 * All of the input through a cipher, into one buffer: a large store's contents are copied
 * once. The input goes in chunks of at most 64 KiB, so the cipher's own output buffers stay
 * small (one of the input's size, then the copy, would double the peak for a store of many
 * megabytes). A DER tree is encrypted as it is walked, never serialised as plaintext. The
 * result is a view of a buffer at most two blocks longer than the input, or of `into`.
 */
function runCipher(cipher: Cipher, input: DerPart, into?: Uint8Array): Uint8Array {
  // decrypting in place is safe: CBC gives out no more than it has taken in, and each piece of
  // input is copied into the cipher before its output is written, behind where it is read
  const out = into ?? new Uint8Array(input.length + 32);
  let pos = 0;
  for (const piece of cipherPieces(cipher, input)) {
    out.set(piece, pos);
    pos += piece.length;
  }
  return pos === out.length ? out : out.subarray(0, pos);
}

type Cipher = { update(data: Uint8Array): Buffer; final(): Buffer };

/** The cipher's output for all of the input, piece by piece (at most 64 KiB of input per call). */
function* cipherPieces(cipher: Cipher, input: DerPart): Generator<Uint8Array> {
  const stage = new Uint8Array(input instanceof DerTree ? CIPHER_CHUNK : 0);
  let staged = 0;
  for (const chunk of derChunks(input)) {
    if (staged > 0 && staged + chunk.length > stage.length) {
      yield cipher.update(stage.subarray(0, staged));
      staged = 0;
    }
    if (chunk.length < stage.length) {
      // headers and small leaves are gathered: one cipher call per 64 KiB, not per part
      stage.set(chunk, staged);
      staged += chunk.length;
    } else {
      for (let i = 0; i < chunk.length; i += CIPHER_CHUNK) yield cipher.update(chunk.subarray(i, i + CIPHER_CHUNK));
    }
  }
  if (staged > 0) yield cipher.update(stage.subarray(0, staged));
  yield cipher.final();
}

const CIPHER_CHUNK = 64 * 1024;
