import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readDer, Tag, type DerNode } from '../asn1/der_reader.js';
import { CURVE_NAMES, OID } from '../asn1/oids.js';
import { UnsupportedAlgorithmError } from '../errors.js';
import { bytesEqual } from '../lib/bytes.js';
import { checkKeyBounds, checkRsaNumbers } from './key_bounds.js';

/**
 * Facts about a key, read with Node's key parser rather than WebCrypto, so that keys WebCrypto
 * cannot use (DSA, X25519 in PKCS#8, ...) still list, pair with their certificates and convert.
 */
export interface KeyDescription {
  /** RSA, RSASSA-PSS, EC, Ed25519, Ed448, X25519, X448, DSA, or the OID when unknown. */
  algorithm: string;
  bits?: number;
  /** Named curve for EC keys: P-256, P-384, P-521, secp256k1. */
  curve?: string;
}

const ALGORITHM_NAMES: Readonly<Record<string, string>> = {
  [OID.rsaEncryption]: 'RSA',
  [OID.rsassaPss]: 'RSASSA-PSS',
  [OID.ecPublicKey]: 'EC',
  [OID.dsa]: 'DSA',
  [OID.ed25519]: 'Ed25519',
  [OID.ed448]: 'Ed448',
  [OID.x25519]: 'X25519',
  [OID.x448]: 'X448',
};

/**
 * The sizes the JDK gives these keys (keytool -list -v: "255-bit Ed25519 key", "448-bit Ed448
 * key", "255-bit XDH key"): the bits of the field prime, not of the encoded key (32 and 57 bytes).
 */
const FIXED_BITS: Readonly<Record<string, number>> = { Ed25519: 255, Ed448: 448, X25519: 255, X448: 448 };

/** The algorithm OID of a PKCS#8 PrivateKeyInfo (and its EC curve OID, if any). */
export function pkcs8Algorithm(pkcs8: Uint8Array): { oid: string; parameterOid?: string } {
  return algorithmOf(readDer(pkcs8, 'PKCS#8 private key').child(1, 'privateKeyAlgorithm'));
}

function algorithmOf(algorithmIdentifier: DerNode): { oid: string; parameterOid?: string } {
  const algId = algorithmIdentifier.sequence('AlgorithmIdentifier');
  const oid = algId[0]?.oid('key algorithm');
  if (!oid) throw new UnsupportedAlgorithmError('(none)', 'key without an algorithm');
  const param = algId[1];
  return param && param.is(Tag.oid) ? { oid, parameterOid: param.oid() } : { oid };
}

export function describePrivateKey(pkcs8: Uint8Array): KeyDescription {
  return describe(pkcs8Algorithm(pkcs8), () => privateKeyObject(pkcs8));
}

/** The same facts from a SubjectPublicKeyInfo, for entries whose private key is sealed. */
export function describePublicKey(spki: Uint8Array, parsed?: KeyObject, parts?: SpkiParts): KeyDescription {
  const algorithm = parts ?? algorithmOf(readDer(spki, 'SubjectPublicKeyInfo').child(0, 'algorithm'));
  return describe(algorithm, () => parsed ?? publicKeyObject(spki));
}

/** A SubjectPublicKeyInfo read once: its algorithm, curve and the subjectPublicKey bits. */
export interface SpkiParts {
  oid: string;
  parameterOid?: string;
  /** The subjectPublicKey BIT STRING's contents (an RSAPublicKey, an EC point, raw key bytes). */
  key: Uint8Array;
}

/** Reads a SubjectPublicKeyInfo; a malformed one throws KeystoreFormatError. */
export function readSpki(spki: Uint8Array): SpkiParts {
  const node = readDer(spki, 'SubjectPublicKeyInfo');
  return { ...algorithmOf(node.child(0, 'algorithm')), key: node.child(1, 'subjectPublicKey').bits('subjectPublicKey') };
}

/**
 * A SubjectPublicKeyInfo as a node:crypto key, its numbers bounded first. An rsaEncryption key
 * whose RSAPublicKey the caller has read (`rsa`, its [n, e]; `parts`) is handed over as that
 * PKCS#1 structure, and EC and Ed25519 keys as JWK: node:crypto imports either some 20 times
 * faster than a SubjectPublicKeyInfo (OpenSSL 3's generic decoders are slow); anything else, or
 * anything odd, goes through the SPKI parser.
 */
export function publicKeyObject(spki: Uint8Array, parts?: SpkiParts, rsa?: readonly DerNode[]): KeyObject {
  if (rsa) checkRsaNumbers(rsa);
  else checkKeyBounds(spki, 'spki');
  if (rsa && parts?.oid === OID.rsaEncryption) {
    try {
      return createPublicKey({ key: Buffer.from(parts.key.buffer, parts.key.byteOffset, parts.key.byteLength), format: 'der', type: 'pkcs1' });
    } catch {
      // the SPKI parser below gives the verdict
    }
  }
  const jwk = jwkOf(spki, parts, rsa);
  if (jwk) {
    try {
      return createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      // the DER parser below gives the verdict
    }
  }
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

const JWK_CURVES: Readonly<Record<string, { crv: string; size: number }>> = {
  [OID.p256]: { crv: 'P-256', size: 32 },
  [OID.p384]: { crv: 'P-384', size: 48 },
  [OID.p521]: { crv: 'P-521', size: 66 },
};

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

function jwkOf(spki: Uint8Array, parts?: SpkiParts, rsa?: readonly DerNode[]): JsonWebKey | undefined {
  try {
    const { oid, parameterOid, key: bits } = parts ?? readSpki(spki);
    if (oid === OID.rsaEncryption) {
      const [n, e, ...rest] = rsa ?? readDer(bits, 'RSAPublicKey').sequence('RSAPublicKey');
      if (!n || !e || rest.length > 0 || !n.is(Tag.integer) || !e.is(Tag.integer) || n.content[0]! & 0x80 || e.content[0]! & 0x80) return undefined;
      const strip = (b: Uint8Array): Uint8Array => (b.length > 1 && b[0] === 0 ? b.subarray(1) : b);
      return { kty: 'RSA', n: b64(strip(n.content)), e: b64(strip(e.content)) };
    }
    if (oid === OID.ecPublicKey && parameterOid) {
      const curve = JWK_CURVES[parameterOid];
      if (!curve || bits.length !== 1 + 2 * curve.size || bits[0] !== 4) return undefined;
      return { kty: 'EC', crv: curve.crv, x: b64(bits.subarray(1, 1 + curve.size)), y: b64(bits.subarray(1 + curve.size)) };
    }
    if (oid === OID.ed25519 && bits.length === 32) return { kty: 'OKP', crv: 'Ed25519', x: b64(bits) };
  } catch {
    // not for the fast path
  }
  return undefined;
}

function describe({ oid, parameterOid }: { oid: string; parameterOid?: string }, keyObject: () => KeyObject): KeyDescription {
  const algorithm = ALGORITHM_NAMES[oid] ?? oid;
  const description: KeyDescription = { algorithm };
  if (algorithm === 'EC' && parameterOid) {
    const curve = CURVE_NAMES[parameterOid];
    description.curve = curve?.name ?? parameterOid;
    if (curve) description.bits = curve.bits;
    return description;
  }
  const fixed = FIXED_BITS[algorithm];
  if (fixed) {
    description.bits = fixed;
    return description;
  }
  try {
    const details = keyObject().asymmetricKeyDetails;
    if (details?.modulusLength) description.bits = details.modulusLength;
  } catch {
    // an unparseable key is still listed by its algorithm
  }
  return description;
}

export function privateKeyObject(pkcs8: Uint8Array): KeyObject {
  checkKeyBounds(pkcs8, 'pkcs8');
  try {
    return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new UnsupportedAlgorithmError(safeAlgorithmName(pkcs8), 'private key could not be parsed');
  }
}

/** SubjectPublicKeyInfo (DER) of the private key's public half. */
export function publicKeyOfPrivateKey(pkcs8: Uint8Array): Uint8Array {
  const spki = createPublicKey(privateKeyObject(pkcs8)).export({ type: 'spki', format: 'der' });
  return new Uint8Array(spki);
}

/** SPKI in Node's canonical encoding, so that equal keys compare equal byte for byte. */
export function canonicalSpki(spki: Uint8Array): Uint8Array {
  try {
    checkKeyBounds(spki, 'spki');
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
  } catch {
    return spki;
  }
}

export function publicKeysEqual(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b) || bytesEqual(canonicalSpki(a), canonicalSpki(b));
}

function safeAlgorithmName(pkcs8: Uint8Array): string {
  try {
    const { oid } = pkcs8Algorithm(pkcs8);
    return ALGORITHM_NAMES[oid] ?? oid;
  } catch {
    return 'unknown';
  }
}
