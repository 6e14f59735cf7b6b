import { createPublicKey, type KeyObject } from 'node:crypto';
import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { derProblem } from '../asn1/der_strict.js';
import { CURVE_NAMES, OID } from '../asn1/oids.js';
import { bitLength } from '../crypto/key_bounds.js';
import { describePublicKey, publicKeyObject, readSpki, type KeyDescription, type SpkiParts } from '../crypto/key_info.js';
import { CsrFormatError, HapkiError, WeakKeyError } from '../errors.js';
import { toHex } from '../lib/bytes.js';

/** The request's key as the checks left it: described, and parsed by node:crypto when it can be. */
export interface RequestKey {
  description: KeyDescription;
  /** Undefined when node:crypto cannot read it: such a key cannot have signed anything. */
  keyObject: KeyObject | undefined;
  /** The subjectPublicKey bits, for the subject key identifier. */
  bits: Uint8Array;
}

/**
 * Checks on a certificate request that proof of possession does not give: a key that makes RSA or
 * ECDSA meaningless is refused (ERR_WEAK_KEY), and so is any requested extension that does not
 * match its schema (ERR_CSR_FORMAT, naming the extension), before anything reads its values.
 * `attributes` is the request's [0] attributes, as read already. The key is read once, here, for
 * every later use (its size, the signature check, the key identifier).
 */
export function checkRequest(spki: Uint8Array, attributes: DerNode | undefined): RequestKey {
  const key = checkRequestKey(spki);
  checkRequestAttributes(attributes);
  return key;
}

const MIN_RSA_EXPONENT = 65537n;
const MAX_RSA_EXPONENT = (1n << 256n) - 1n;
const SMALL_PRIMES = primesBelow(2000);
/** The small primes in groups whose products stay below 2^53: one big-number remainder per group. */
const PRIME_GROUPS = groupPrimes(SMALL_PRIMES);

/**
 * RSA: modulus positive, odd, without a small factor; public exponent odd and within
 * 2^16+1 .. 2^256-1 (RFC 8017, CA/B Forum BR 6.1.6; e=1 would let anyone "sign" for the key).
 * EC: the point lies on its named curve.
 */
export function checkRequestKey(spki: Uint8Array): RequestKey {
  let parts: SpkiParts;
  try {
    parts = readSpki(spki);
  } catch {
    throw new CsrFormatError('the request\'s public key (SubjectPublicKeyInfo) is malformed');
  }
  let rsa: DerNode[] | undefined;
  if (parts.oid === OID.rsaEncryption || parts.oid === OID.rsassaPss) rsa = checkRsa(parts.key);
  else if (parts.oid === OID.ecPublicKey) checkEc(spki, parts.key, parts.parameterOid);
  const keyObject = requestKeyObject(spki, parts, rsa);
  // an RSA key's size is its modulus's, read already (node:crypto's key details cost a conversion)
  const description = rsa && keyObject ? { algorithm: parts.oid === OID.rsaEncryption ? 'RSA' : 'RSASSA-PSS', bits: bitLength(rsa[0]!.content) } : describePublicKey(spki, keyObject, parts);
  return { description, keyObject, bits: parts.key };
}

function requestKeyObject(spki: Uint8Array, parts: SpkiParts, rsa: DerNode[] | undefined): KeyObject | undefined {
  try {
    return publicKeyObject(spki, parts, rsa);
  } catch (error) {
    // a key out of bounds says so; one node:crypto cannot read cannot have signed anything
    if (error instanceof HapkiError) throw error;
    return undefined;
  }
}

function checkRsa(key: Uint8Array): DerNode[] {
  let numbers: DerNode[];
  try {
    numbers = readDer(key, 'RSAPublicKey').sequence('RSAPublicKey');
    if (numbers.length !== 2 || !numbers[0]!.is(Tag.integer) || !numbers[1]!.is(Tag.integer) || numbers[0]!.content.length === 0 || numbers[1]!.content.length === 0) throw new Error('shape');
  } catch {
    throw new CsrFormatError('the request\'s RSA public key (RSAPublicKey) is malformed');
  }
  const [modulus, exponent] = numbers as [DerNode, DerNode];
  // the exponent's size is bounded before it becomes a number (its bounds check follows in publicKeyObject)
  if (exponent.content[0]! & 0x80) throw new WeakKeyError('the request\'s RSA public exponent is outside 65537 .. 2^256-1; such a key is refused');
  const eBytes = exponent.content.length > 33 ? undefined : exponent.content;
  const e = eBytes ? BigInt(`0x${toHex(eBytes)}`) : MAX_RSA_EXPONENT + 1n;
  if (e % 2n === 0n || e < MIN_RSA_EXPONENT || e > MAX_RSA_EXPONENT) throw new WeakKeyError(`the request's RSA public exponent ${e <= 65537n ? String(e) : 'is'} ${e % 2n === 0n ? 'is even' : 'is outside 65537 .. 2^256-1'}; such a key is refused`);
  const n = modulus.content;
  if (n[0]! & 0x80 || n.every((b) => b === 0) || (n[n.length - 1]! & 1) === 0) throw new WeakKeyError('the request\'s RSA modulus is not a positive odd number');
  const factor = smallFactor(BigInt(`0x${toHex(n)}`));
  if (factor !== undefined) throw new WeakKeyError(`the request's RSA modulus has the small factor ${factor}`);
  return numbers;
}

/** The smallest prime under 2000 dividing n, if any. */
function smallFactor(n: bigint): number | undefined {
  for (const group of PRIME_GROUPS) {
    const rest = Number(n % group.product);
    for (const p of group.primes) if (rest % p === 0) return p;
  }
  return undefined;
}

interface Curve {
  p: bigint;
  a: bigint;
  b: bigint;
}

const P256 = (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n;
const P384 = (1n << 384n) - (1n << 128n) - (1n << 96n) + (1n << 32n) - 1n;
const P521 = (1n << 521n) - 1n;
const CURVES: Readonly<Record<string, Curve>> = {
  'P-256': { p: P256, a: P256 - 3n, b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn },
  'P-384': { p: P384, a: P384 - 3n, b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn },
  'P-521': { p: P521, a: P521 - 3n, b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n },
};

function checkEc(spki: Uint8Array, point: Uint8Array, parameterOid: string | undefined): void {
  const curveName = parameterOid === undefined ? undefined : CURVE_NAMES[parameterOid]?.name;
  const curve = curveName === undefined ? undefined : CURVES[curveName];
  if (!curve) return; // the signable-key check names unsupported curves
  const size = Math.ceil(curve.p.toString(2).length / 8);
  if (point[0] === 0x04 && point.length === 1 + 2 * size) {
    const x = toBigInt(point.subarray(1, 1 + size));
    const y = toBigInt(point.subarray(1 + size));
    const onCurve = x < curve.p && y < curve.p && (y * y - (x * x * x + curve.a * x + curve.b)) % curve.p === 0n;
    if (!onCurve) throw new WeakKeyError(`the request's EC public key is not a point on ${curveName}`);
    return;
  }
  if ((point[0] === 0x02 || point[0] === 0x03) && point.length === 1 + size) {
    // a compressed point decodes only when x gives a point on the curve
    try {
      createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      return;
    } catch {
      throw new WeakKeyError(`the request's EC public key is not a point on ${curveName}`);
    }
  }
  throw new WeakKeyError(`the request's EC public key is not an encoded point of ${curveName}`);
}

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

const EXTENSION_NAMES: Readonly<Record<string, string>> = {
  '2.5.29.17': 'subjectAltName',
  '2.5.29.19': 'basicConstraints',
  '2.5.29.15': 'keyUsage',
  '2.5.29.37': 'extKeyUsage',
  '2.5.29.14': 'subjectKeyIdentifier',
  '2.5.29.35': 'authorityKeyIdentifier',
};

/** Every extension of the request's extensionRequest attribute, checked against its schema. */
export function checkRequestExtensions(csrDer: Uint8Array): void {
  let attributes: DerNode | undefined;
  try {
    const info = readDer(csrDer, 'certification request').child(0, 'certificationRequestInfo');
    attributes = info.children[3];
  } catch {
    throw new CsrFormatError('the request\'s CertificationRequestInfo is malformed');
  }
  checkRequestAttributes(attributes);
}

function checkRequestAttributes(attributes: DerNode | undefined): void {
  if (attributes && !attributes.is(0, TagClass.context)) throw new CsrFormatError('the request\'s CertificationRequestInfo is malformed');
  for (const attribute of attributes?.children ?? []) {
    let type: string;
    let values: DerNode[];
    try {
      const parts = attribute.sequence('attribute');
      type = parts[0]!.oid('attribute type');
      values = parts[1]!.expect(Tag.set, 'attribute values').children;
    } catch {
      throw new CsrFormatError('the request has a malformed attribute');
    }
    if (type !== EXTENSION_REQUEST) continue;
    if (values.length !== 1) throw new CsrFormatError('the request\'s extensionRequest attribute must hold exactly one list of extensions');
    checkExtensions(values[0]!);
  }
}

function checkExtensions(list: DerNode): void {
  let extensions: DerNode[];
  try {
    extensions = list.sequence('extensions');
  } catch {
    throw new CsrFormatError('the request\'s extensionRequest is not a list of extensions');
  }
  const seen = new Set<string>();
  for (const extension of extensions) {
    let id: string;
    let value: Uint8Array;
    try {
      const parts = extension.sequence('extension');
      id = parts[0]!.oid('extension id');
      if (parts.length === 3 && (!parts[1]!.is(Tag.boolean) || parts[1]!.content.length !== 1)) throw new Error('critical');
      if (parts.length !== 2 && parts.length !== 3) throw new Error('parts');
      value = parts[parts.length - 1]!.octets('extnValue');
    } catch {
      throw new CsrFormatError('the request has a malformed extension (not extnID, critical, extnValue)');
    }
    const name = EXTENSION_NAMES[id] ?? `extension ${id}`;
    if (seen.has(id)) throw new CsrFormatError(`the request has the ${name} extension twice`);
    seen.add(id);
    if (value.length === 0) throw new CsrFormatError(`the request's ${name} extension has an empty value`);
    const notDer = derProblem(value);
    if (notDer) throw new CsrFormatError(`the request's ${name} extension is not DER: ${notDer}`);
    try {
      checkExtensionValue(id, readDer(value, name));
    } catch (cause) {
      const why = cause instanceof SchemaError ? cause.message : 'it is not one valid DER element';
      throw new CsrFormatError(`the request's ${name} extension is malformed: ${why}`);
    }
  }
}

class SchemaError extends Error {}

function need(condition: boolean, why: string): asserts condition {
  if (!condition) throw new SchemaError(why);
}

function checkExtensionValue(id: string, node: DerNode): void {
  switch (id) {
    case '2.5.29.17':
      need(node.is(Tag.sequence) && node.children.length > 0, 'GeneralNames must be a non-empty SEQUENCE');
      node.children.forEach(checkGeneralName);
      return;
    case '2.5.29.19': {
      need(node.is(Tag.sequence), 'BasicConstraints must be a SEQUENCE');
      const [first, second, ...rest] = node.children;
      need(rest.length === 0, 'BasicConstraints has too many fields');
      const fields = first?.is(Tag.boolean) ? [second] : [first, second];
      if (first?.is(Tag.boolean)) need(first.content.length === 1, 'cA is not a BOOLEAN');
      need(fields[1] === undefined, 'BasicConstraints fields out of order');
      if (fields[0]) need(fields[0].is(Tag.integer) && fields[0].bigint('pathLenConstraint') >= 0n, 'pathLenConstraint is not a non-negative INTEGER');
      return;
    }
    case '2.5.29.15':
      need(node.is(Tag.bitString) && !node.constructed && node.content.length >= 2 && node.content[0]! <= 7, 'KeyUsage must be a non-empty BIT STRING');
      return;
    case '2.5.29.37':
      need(node.is(Tag.sequence) && node.children.length > 0, 'ExtKeyUsageSyntax must be a non-empty SEQUENCE of OIDs');
      for (const child of node.children) child.oid('key purpose');
      return;
    case '2.5.29.14':
      need(node.is(Tag.octetString) && node.content.length > 0, 'KeyIdentifier must be a non-empty OCTET STRING');
      return;
    default:
      return;
  }
}

function checkGeneralName(name: DerNode): void {
  need(name.cls === TagClass.context, 'a GeneralName is not context-tagged');
  switch (name.tag) {
    case 1:
    case 2:
    case 6: {
      const kind = name.tag === 1 ? 'rfc822Name' : name.tag === 2 ? 'dNSName' : 'uniformResourceIdentifier';
      need(!name.constructed && name.content.length > 0, `a ${kind} is empty or constructed`);
      need(name.content.every((b) => b >= 0x20 && b < 0x7f), `a ${kind} holds bytes that are not printable ASCII (IA5String)`);
      return;
    }
    case 7:
      need(!name.constructed && (name.content.length === 4 || name.content.length === 16), `an iPAddress has ${name.content.length} bytes, not 4 or 16`);
      return;
    case 4:
      need(name.constructed && name.children.length === 1 && name.children[0]!.is(Tag.sequence), 'a directoryName is not a Name');
      return;
    case 0:
      need(name.constructed && name.children.length === 2 && name.children[0]!.is(Tag.oid) && name.children[1]!.is(0, TagClass.context), 'an otherName is not (type-id, [0] value)');
      return;
    case 3:
    case 5:
      need(name.constructed, 'an x400Address or ediPartyName is not constructed');
      return;
    case 8:
      need(!name.constructed && name.content.length > 0, 'a registeredID is empty');
      return;
    default:
      throw new SchemaError(`a GeneralName has the unknown tag [${name.tag}]`);
  }
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}

function primesBelow(limit: number): bigint[] {
  const sieve = new Uint8Array(limit);
  const primes: bigint[] = [];
  for (let i = 2; i < limit; i++) {
    if (sieve[i]) continue;
    primes.push(BigInt(i));
    for (let j = i * i; j < limit; j += i) sieve[j] = 1;
  }
  return primes;
}

function groupPrimes(primes: readonly bigint[]): { product: bigint; primes: number[] }[] {
  const groups: { product: bigint; primes: number[] }[] = [];
  let current = { product: 1n, primes: [] as number[] };
  for (const p of primes) {
    if (current.product * p >= 1n << 53n) {
      groups.push(current);
      current = { product: 1n, primes: [] };
    }
    current.product *= p;
    current.primes.push(Number(p));
  }
  if (current.primes.length > 0) groups.push(current);
  return groups;
}
