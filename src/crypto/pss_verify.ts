import { constants, createHash, createPublicKey, publicDecrypt, type KeyObject } from 'node:crypto';
import { readDer, Tag } from '../asn1/der_reader.js';
import { bytesEqual } from '../lib/bytes.js';

/** What an RSASSA-PSS signature was made with (RFC 8017 9.1, RFC 4055 3.1). */
export interface PssParameters {
  /** The node:crypto name of the message hash ('sha256'). */
  hash: string;
  /** The node:crypto name of MGF1's hash. */
  mgfHash: string;
  saltLength: number;
}

/**
 * RSASSA-PSS-VERIFY (RFC 8017 8.1.2 with EMSA-PSS-VERIFY, 9.1.2) over the raw RSA public
 * operation, for the parameters node:crypto's verify cannot take: it has one hash for the message
 * and MGF1, and OpenSSL and the JDK sign with others (`openssl req -sigopt rsa_mgf1_md:sha1`).
 * `key` is an RSA or RSASSA-PSS public key; a key restricted by its own RSASSA-PSS parameters
 * checks only signatures that keep them (RFC 4055 3.1), as OpenSSL does. Any inconsistency is a false.
 */
export function pssVerify(key: KeyObject, params: PssParameters, data: Uint8Array, signature: Uint8Array): boolean {
  const details = key.asymmetricKeyDetails;
  const modBits = details?.modulusLength;
  if (!modBits || (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss')) return false;
  if (key.asymmetricKeyType === 'rsa-pss' && !keepsRestrictions(details, params)) return false;
  const k = Math.ceil(modBits / 8);
  if (signature.length !== k) return false;
  let m: Buffer;
  try {
    // RSAVP1; OpenSSL refuses a representative not below the modulus
    m = publicDecrypt({ key: rawRsaKey(key), padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  // I2OSP(m, emLen): when emLen is one short of k the dropped octet must be zero
  if (m.length !== k || (k > emLen && m[0] !== 0)) return false;
  return emsaPssVerify(data, m.subarray(k - emLen), emBits, params);
}

function keepsRestrictions(details: NonNullable<KeyObject['asymmetricKeyDetails']>, params: PssParameters): boolean {
  if (details.hashAlgorithm !== undefined && details.hashAlgorithm !== params.hash) return false;
  if (details.mgf1HashAlgorithm !== undefined && details.mgf1HashAlgorithm !== params.mgfHash) return false;
  return details.saltLength === undefined || params.saltLength >= details.saltLength;
}

/** EMSA-PSS-VERIFY (RFC 8017 9.1.2), steps 2 to 14. */
function emsaPssVerify(message: Uint8Array, em: Uint8Array, emBits: number, { hash, mgfHash, saltLength }: PssParameters): boolean {
  const mHash = createHash(hash).update(message).digest();
  const hLen = mHash.length;
  const emLen = em.length;
  if (emLen < hLen + saltLength + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topBits = 8 * emLen - emBits;
  const topMask = 0xff >> topBits;
  if ((maskedDb[0]! & ~topMask & 0xff) !== 0) return false;
  const db = mgf1(mgfHash, h, maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= maskedDb[i]!;
  db[0]! &= topMask;
  const padEnd = emLen - hLen - saltLength - 2;
  for (let i = 0; i < padEnd; i++) if (db[i] !== 0) return false;
  if (db[padEnd] !== 0x01) return false;
  const salt = db.subarray(db.length - saltLength);
  const hPrime = createHash(hash).update(new Uint8Array(8)).update(mHash).update(salt).digest();
  return bytesEqual(hPrime, h);
}

/** MGF1 (RFC 8017 B.2.1). */
function mgf1(hash: string, seed: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length);
  const counter = Buffer.alloc(4);
  for (let filled = 0, i = 0; filled < length; i++) {
    counter.writeUInt32BE(i);
    const block = createHash(hash).update(seed).update(counter).digest();
    filled += block.copy(out, filled);
  }
  return out;
}

/** An 'rsa' key of the same numbers: OpenSSL does no raw operation under an RSASSA-PSS key. */
function rawRsaKey(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType === 'rsa') return key;
  const spki = key.export({ type: 'spki', format: 'der' });
  const rsaPublicKey = readDer(spki, 'SubjectPublicKeyInfo').child(1, 'subjectPublicKey').expect(Tag.bitString, 'subjectPublicKey').bits('subjectPublicKey');
  return createPublicKey({ key: Buffer.from(rsaPublicKey), format: 'der', type: 'pkcs1' });
}
