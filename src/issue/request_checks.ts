import type { KeyObject } from 'node:crypto';
import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { derProblem } from '../asn1/der_strict.js';
import { CURVE_NAMES, OID } from '../asn1/oids.js';
import { bitLength } from '../crypto/key_bounds.js';
import { describePublicKey, publicKeyObject, readSpki, type KeyDescription, type SpkiParts } from '../crypto/key_info.js';
import { CsrFormatError, HapkiError, LimitExceededError, WeakKeyError } from '../errors.js';
import { ecPointProblem, edPointProblem, rsaNumbersProblem } from '../crypto/key_sanity.js';
import { signatureAlgorithmOf } from '../crypto/signature_family.js';

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
  const form = spkiFormProblem(spki, parts);
  if (form) throw new CsrFormatError(`the request's public key (SubjectPublicKeyInfo) is not in its standard form: ${form}`);
  let rsa: DerNode[] | undefined;
  if (parts.oid === OID.rsaEncryption || parts.oid === OID.rsassaPss) rsa = checkRsa(parts.key);
  else if (parts.oid === OID.ecPublicKey) checkEc(spki, parts.key, parts.parameterOid);
  else if (parts.oid === OID.ed25519 || parts.oid === OID.ed448) checkEd(parts.oid === OID.ed25519 ? 'Ed25519' : 'Ed448', parts.key);
  const keyObject = requestKeyObject(spki, parts, rsa);
  // an RSA key's size is its modulus's, read already (node:crypto's key details cost a conversion)
  const description = rsa && keyObject ? { algorithm: parts.oid === OID.rsaEncryption ? 'RSA' : 'RSASSA-PSS', bits: bitLength(rsa[0]!.content) } : describePublicKey(spki, keyObject, parts);
  return { description, keyObject, bits: parts.key };
}

/**
 * The SubjectPublicKeyInfo goes into the certificate byte for byte, so it must be what RFC 3279,
 * 5480 and 8410 prescribe, as strict validators (Go, webpki) read it: no unused bits, rsaEncryption
 * with NULL parameters and a DER RSAPublicKey, id-ecPublicKey with a named curve, EdDSA without
 * parameters.
 */
function spkiFormProblem(spki: Uint8Array, parts: SpkiParts): string | undefined {
  const [algorithm, key, ...rest] = readDer(spki, 'SubjectPublicKeyInfo').children;
  if (!algorithm || !key || rest.length > 0) return 'it is not (algorithm, subjectPublicKey)';
  if (key.content[0] !== 0) return 'the subjectPublicKey has unused bits';
  const [, parameters, ...more] = algorithm.children;
  if (more.length > 0) return 'the algorithm has more than one parameter';
  switch (parts.oid) {
    case OID.rsaEncryption:
      if (!parameters?.is(Tag.null)) return 'rsaEncryption parameters are not NULL';
      return derProblem(parts.key) === undefined ? undefined : 'the RSAPublicKey is not DER';
    case OID.rsassaPss:
      return derProblem(parts.key) === undefined ? undefined : 'the RSAPublicKey is not DER';
    case OID.ecPublicKey:
      // explicit curve parameters (a SEQUENCE) are refused as an unsupported key, by the signable-key check
      if (!parameters?.is(Tag.oid) && !parameters?.is(Tag.sequence)) return 'the EC key names no curve (absent or NULL parameters)';
      // RFC 5480 2.2 and CA/B BR 7.1.3.1.2: a certified point is uncompressed; keytool cannot read a compressed one
      return parts.key[0] === 0x02 || parts.key[0] === 0x03 ? 'the EC point is compressed (a certificate carries the uncompressed form, 04...)' : undefined;
    case OID.ed25519:
    case OID.ed448:
      return parameters === undefined ? undefined : 'EdDSA keys have no parameters';
    default:
      return undefined;
  }
}

function requestKeyObject(spki: Uint8Array, parts: SpkiParts, rsa: DerNode[] | undefined): KeyObject | undefined {
  try {
    return publicKeyObject(spki, parts, rsa);
  } catch (error) {
    // a key out of bounds says so, as a request's fault; one node:crypto cannot read cannot have signed anything
    if (error instanceof LimitExceededError) throw new CsrFormatError(`the request's public key is out of bounds: ${error.message}`);
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
  const problem = rsaNumbersProblem(modulus.content, exponent.content);
  if (problem) throw new WeakKeyError(`the request's RSA ${problem}${problem.startsWith('public exponent') ? '; such a key is refused' : ''}`);
  return numbers;
}

function checkEc(spki: Uint8Array, point: Uint8Array, parameterOid: string | undefined): void {
  const problem = ecPointProblem(spki, point, parameterOid === undefined ? undefined : CURVE_NAMES[parameterOid]?.name);
  if (problem) throw new WeakKeyError(`the request's EC ${problem}`);
}

function checkEd(algorithm: 'Ed25519' | 'Ed448', point: Uint8Array): void {
  const problem = edPointProblem(algorithm, point);
  if (problem) throw new WeakKeyError(`the request's ${algorithm} ${problem}`);
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
  let extensionRequests = 0;
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
    // a second one is read by some parsers and not others: which names were asked for is ambiguous
    if (++extensionRequests > 1) throw new CsrFormatError('the request has more than one extensionRequest attribute');
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
    const name = EXTENSION_NAMES[id] ?? id;
    if (seen.has(id)) throw new CsrFormatError(`the request has the ${name} extension twice`);
    seen.add(id);
    if (value.length === 0) throw new CsrFormatError(`the request's ${name} extension has an empty value`);
    try {
      checkExtensionValue(id, readDer(value, name));
    } catch (cause) {
      const why = cause instanceof SchemaError ? cause.message : 'it is not one valid DER element';
      throw new CsrFormatError(`the request's ${name} extension is malformed: ${why}`);
    }
    const notDer = derProblem(value);
    if (notDer) throw new CsrFormatError(`the request's ${name} extension is not DER: ${notDer}`);
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

const PSS_DEFAULTS: readonly [number, string][] = [
  // hashAlgorithm sha1, maskGenAlgorithm mgf1SHA1, saltLength 20, trailerField 1 (RFC 4055 3.1)
  [0, '3009' + '0605' + '2b0e03021a' + '0500'],
  [0, '3007' + '0605' + '2b0e03021a'],
  [1, '3016' + '0609' + '2a864886f70d010108' + '3009' + '0605' + '2b0e03021a' + '0500'],
  [1, '3014' + '0609' + '2a864886f70d010108' + '3007' + '0605' + '2b0e03021a'],
  [2, '020114'],
  [3, '020101'],
];

/**
 * Why the request's signature AlgorithmIdentifier is not in the one form RFC 4055 gives it, or
 * undefined (the ECDSA and EdDSA forms are checked with the signature): PKCS#1 v1.5 parameters
 * NULL or absent, RSASSA-PSS parameters a SEQUENCE with no field at its DEFAULT value (DER leaves
 * those out; openssl and the JDK do). A request is signed once and read by many parsers: a form
 * one of them reads otherwise is refused, as a non-DER encoding is.
 */
export function signatureAlgorithmFormProblem(algorithm: DerNode): string | undefined {
  const family = signatureAlgorithmOf(algorithm.encoded).family;
  const [, parameters, ...more] = algorithm.children;
  if (more.length > 0) return 'it has more than one parameter';
  if (family === 'rsa') return parameters === undefined || (parameters.is(Tag.null) && parameters.content.length === 0) ? undefined : 'PKCS#1 v1.5 parameters are not NULL (RFC 4055 5)';
  if (family !== 'pss') return undefined;
  if (!parameters?.is(Tag.sequence)) return 'RSASSA-PSS parameters are not RSASSA-PSS-params (RFC 4055 3.1)';
  for (const field of parameters.children) {
    const value = field.children[0] ? Buffer.from(field.children[0].encoded).toString('hex') : '';
    if (PSS_DEFAULTS.some(([tag, encoded]) => field.is(tag, TagClass.context) && value === encoded)) return `RSASSA-PSS field [${field.tag}] is written out at its default value, which DER leaves out`;
  }
  return undefined;
}
