import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { bitString, integer, nullValue, octetString, oid, sequence, setOf, tlv, unsignedInteger, utf8String, implicitPrimitive } from '../../src/asn1/der_writer.js';
import { TagClass } from '../../src/asn1/der_reader.js';

/** Crafted but validly self-signed PKCS#10 requests, as an attacker would send them. */

export interface CraftedExtension {
  oid: string;
  critical?: boolean;
  /** The extnValue contents. */
  value: Uint8Array;
}

export const cn = (text: string): Uint8Array => sequence(setOf(sequence(oid('2.5.4.3'), utf8String(text))));
export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
export const dnsNames = (...names: string[]): CraftedExtension => ({ oid: '2.5.29.17', value: sequence(...names.map((n) => implicitPrimitive(2, ascii(n)))) });
export const generalNames = (...encoded: Uint8Array[]): CraftedExtension => ({ oid: '2.5.29.17', value: sequence(...encoded) });
export const context = (n: number, bytes: Uint8Array): Uint8Array => implicitPrimitive(n, bytes);

function info(subject: Uint8Array, spki: Uint8Array, extensions: readonly CraftedExtension[]): Uint8Array {
  const exts = extensions.map((e) => sequence(oid(e.oid), ...(e.critical ? [tlv(1, Uint8Array.of(0xff))] : []), octetString(e.value)));
  const attributes = extensions.length > 0 ? [sequence(oid('1.2.840.113549.1.9.14'), setOf(sequence(...exts)))] : [];
  return sequence(integer(0), subject, spki, tlv(0, concat(attributes), { cls: TagClass.context, constructed: true }));
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const RSA_SHA256 = sequence(oid('1.2.840.113549.1.1.11'), nullValue());

let ecKey: { privateKey: KeyObject; spki: Uint8Array } | undefined;

/** An EC P-256 request signed with its own key: subject and extensions as given. */
export function ecCsr(subject: Uint8Array, extensions: readonly CraftedExtension[] = []): Uint8Array {
  if (!ecKey) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    ecKey = { privateKey: pair.privateKey, spki: new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })) };
  }
  const cri = info(subject, ecKey.spki, extensions);
  return sequence(cri, ECDSA_SHA256, bitString(new Uint8Array(sign('sha256', cri, ecKey.privateKey))));
}

/** An RSA request with public exponent 3, made and signed by a real key. */
export function rsaExponentCsr(exponent: number, subject = cn('weak.example.com')): Uint8Array {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: exponent });
  const cri = info(subject, new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })), []);
  return sequence(cri, RSA_SHA256, bitString(new Uint8Array(sign('sha256', cri, privateKey))));
}

/**
 * An RSA "key" with e = 1: s^e mod n = s, so the padded digest itself is a valid signature and no
 * private key exists. The modulus is borrowed from a real key.
 */
export function rsaExponentOneCsr(subject = cn('forged.example.com')): Uint8Array {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
  const n = Buffer.from(jwk.n!, 'base64url');
  const rsaPublicKey = sequence(unsignedInteger(new Uint8Array(n)), integer(1));
  const spki = sequence(sequence(oid('1.2.840.113549.1.1.1'), nullValue()), bitString(rsaPublicKey));
  const cri = info(subject, spki, []);
  const digestInfo = sequence(sequence(oid('2.16.840.1.101.3.4.2.1'), nullValue()), octetString(new Uint8Array(createHash('sha256').update(cri).digest())));
  const em = new Uint8Array(n.length);
  em[1] = 1;
  em.fill(0xff, 2, n.length - digestInfo.length - 1);
  em.set(digestInfo, n.length - digestInfo.length);
  return sequence(cri, RSA_SHA256, bitString(em));
}

/**
 * An RSA request whose 2048-bit-or-so modulus is a real 1024-bit prime times the given small
 * prime: only the small-factor check can refuse it (its signature cannot verify; the key check
 * comes first).
 */
export function rsaSmallFactorCsr(factor: number): Uint8Array {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const prime = BigInt(`0x${Buffer.from(jwk.p!, 'base64url').toString('hex')}`);
  const hex = (BigInt(factor) * prime).toString(16);
  const n = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  const rsaPublicKey = sequence(unsignedInteger(new Uint8Array(n)), integer(65537));
  const spki = sequence(sequence(oid('1.2.840.113549.1.1.1'), nullValue()), bitString(rsaPublicKey));
  const cri = info(cn('factor.example.com'), spki, []);
  return sequence(cri, RSA_SHA256, bitString(new Uint8Array(256).fill(1)));
}

/** An EC request whose public point is moved off the curve (its signature cannot verify; the key check comes first). */
export function offCurveCsr(): Uint8Array {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = new Uint8Array(key.publicKey.export({ format: 'der', type: 'spki' }));
  spki[spki.length - 1] ^= 1;
  const cri = info(cn('offcurve.example.com'), spki, []);
  return sequence(cri, ECDSA_SHA256, bitString(new Uint8Array(sign('sha256', cri, key.privateKey))));
}


/** An EC P-256 request and its key (PKCS#8 PEM), for certificates openssl is to sign as they are. */
export function ecCsrWithKey(subject: Uint8Array, extensions: readonly CraftedExtension[] = []): { csr: Uint8Array; keyPem: string } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const cri = info(subject, new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })), extensions);
  return { csr: sequence(cri, ECDSA_SHA256, bitString(new Uint8Array(sign('sha256', cri, pair.privateKey)))), keyPem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string };
}

let rsaKey: { privateKey: KeyObject; spki: Uint8Array } | undefined;

/**
 * A request whose signature is made by a real key ('rsa' 2048 or 'ec' P-256) with node:crypto's
 * `hash` (PKCS#1 v1.5 or ECDSA), under whatever AlgorithmIdentifier `algorithm` says: a weak hash,
 * or another key type's algorithm.
 */
export function csrSignedAs(keyType: 'rsa' | 'ec', algorithm: Uint8Array, hash: string, subject = cn('alg.example.com')): Uint8Array {
  let key: { privateKey: KeyObject; spki: Uint8Array };
  if (keyType === 'rsa') {
    if (!rsaKey) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      rsaKey = { privateKey: pair.privateKey, spki: new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })) };
    }
    key = rsaKey;
  } else {
    ecCsr(cn('x'));
    key = ecKey!;
  }
  const cri = info(subject, key.spki, []);
  return sequence(cri, algorithm, bitString(new Uint8Array(sign(hash, cri, key.privateKey))));
}

export { ECDSA_SHA256, RSA_SHA256 };

/** A request carrying `spki` as given (re-encoded by the attacker), signed by the real private key behind it. */
export function csrWithSpki(spki: Uint8Array, privateKey: KeyObject, algorithm: Uint8Array, hash: string | null, subject = cn('spki.example.com')): Uint8Array {
  const cri = info(subject, spki, []);
  return sequence(cri, algorithm, bitString(new Uint8Array(sign(hash, cri, privateKey))));
}

/** A request over the CertificationRequestInfo given as it is (extra fields, odd attributes), signed by the EC test key; `after` follows the signature. */
export function ecCsrOfInfo(cri: Uint8Array, ...after: Uint8Array[]): Uint8Array {
  ecCsr(cn('x'));
  return sequence(cri, ECDSA_SHA256, bitString(new Uint8Array(sign('sha256', cri, ecKey!.privateKey))), ...after);
}

/** The EC test key's SubjectPublicKeyInfo (DER) and private key. */
export function ecTestKey(): { spki: Uint8Array; privateKey: KeyObject } {
  ecCsr(cn('x'));
  return ecKey!;
}

/** A CertificationRequestInfo with these subject, key and raw attributes (each an encoded Attribute), and any fields after them. */
export function rawInfo(subject: Uint8Array, spki: Uint8Array, attributes: readonly Uint8Array[], ...after: Uint8Array[]): Uint8Array {
  return sequence(integer(0), subject, spki, tlv(0, concat([...attributes]), { cls: TagClass.context, constructed: true }), ...after);
}

/** An extensionRequest attribute holding these extensions. */
export function extensionRequest(...extensions: CraftedExtension[]): Uint8Array {
  const exts = extensions.map((e) => sequence(oid(e.oid), ...(e.critical ? [tlv(1, Uint8Array.of(0xff))] : []), octetString(e.value)));
  return sequence(oid('1.2.840.113549.1.9.14'), setOf(sequence(...exts)));
}
