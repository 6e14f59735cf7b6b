import { createPublicKey } from 'node:crypto';
import { readDer, Tag } from '../asn1/der_reader.js';
import { algorithmIdentifier, bitString, nullValue, oid, sequence, unsignedInteger } from '../asn1/der_writer.js';
import { CURVE_NAMES } from '../asn1/oids.js';
import { certificatePublicKey } from '../cert/describe.js';
import { Pkcs11Error, UnsupportedAlgorithmError } from '../errors.js';
import { CK, type Attribute, type Handle } from './binding.js';
import { shown } from './device_error.js';
import type { Pkcs11Token } from './token.js';
import { formatPkcs11Uri, type Pkcs11Uri } from './uri.js';

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/** A private key on a token, with what hapki needs to sign with it and name it. */
export interface Pkcs11KeyObject {
  handle: Handle;
  label: string | undefined;
  id: Uint8Array | undefined;
  keyType: 'RSA' | 'EC';
  /** SubjectPublicKeyInfo, DER. */
  publicKeyInfo: Uint8Array;
  /** The named curve of an EC key ('P-256', ...). */
  curve?: string;
  bits: number;
}

/** The template that selects objects of a class by the URI's object= and id=. */
export function objectTemplate(uri: Pkcs11Uri, objectClass: number): Attribute[] {
  const template: Attribute[] = [{ type: CK.CKA_CLASS, value: objectClass }];
  if (uri.object !== undefined) template.push({ type: CK.CKA_LABEL, value: uri.object });
  if (uri.id !== undefined) template.push({ type: CK.CKA_ID, value: Buffer.from(uri.id) });
  return template;
}

/** The one private key the URI names (object= and/or id=); ERR_PKCS11_OBJECT_NOT_FOUND without it. */
export function findPrivateKey(token: Pkcs11Token, uri: Pkcs11Uri): Pkcs11KeyObject {
  if (uri.object === undefined && uri.id === undefined) throw new Pkcs11Error('ERR_PKCS11_URI', 'the PKCS#11 URI must name the key: object=<label> and/or id=<CKA_ID>');
  if (uri.type !== undefined && uri.type !== 'private') throw new Pkcs11Error('ERR_PKCS11_URI', `the PKCS#11 URI names type=${uri.type}, but a private key is needed here`);
  const handles = token.find(objectTemplate(uri, CK.CKO_PRIVATE_KEY));
  if (handles.length === 0) throw new Pkcs11Error('ERR_PKCS11_OBJECT_NOT_FOUND', `no private key ${formatPkcs11Uri({ ...uri, token: token.label })} on the token`);
  if (handles.length > 1) throw new Pkcs11Error('ERR_PKCS11_URI', `${handles.length} private keys match ${formatPkcs11Uri(uri)}: add id= to name one`);
  return describeKey(token, handles[0]!);
}

/** A private key's type, size and public key, found from the key itself, its public key object or its certificate. */
export function describeKey(token: Pkcs11Token, handle: Handle): Pkcs11KeyObject {
  const label = token.labelOf(handle);
  const id = token.attribute(handle, CK.CKA_ID);
  const keyType = token.number(handle, CK.CKA_KEY_TYPE);
  const spki = publicKeyInfo(token, handle, keyType, id);
  const name = label === undefined ? 'the private key' : `private key ${shown(label)}`;
  if (!spki) throw new Pkcs11Error('ERR_PKCS11_OBJECT_NOT_FOUND', `${name}: the token has no public key nor certificate for it (same CKA_ID), so its public key is unknown`);
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const details = key.asymmetricKeyDetails ?? {};
  const common = { handle, label, id: id && id.length > 0 ? new Uint8Array(id) : undefined, publicKeyInfo: spki };
  if (keyType === CK.CKK_RSA) return { ...common, keyType: 'RSA', bits: details.modulusLength ?? 0 };
  const curve = details.namedCurve === 'prime256v1' ? 'P-256' : details.namedCurve === 'secp384r1' ? 'P-384' : details.namedCurve === 'secp521r1' ? 'P-521' : undefined;
  if (keyType === CK.CKK_EC && curve) return { ...common, keyType: 'EC', curve, bits: Number(curve.slice(2)) };
  throw new UnsupportedAlgorithmError(keyType === CK.CKK_EC ? `EC ${details.namedCurve ?? 'unknown curve'}` : `PKCS#11 key type ${keyType}`, `${name}: hapki signs with RSA and EC P-256/P-384/P-521 keys`);
}

function publicKeyInfo(token: Pkcs11Token, privateKey: Handle, keyType: number | undefined, id: Buffer | undefined): Uint8Array | undefined {
  const sameId: Attribute[] = id && id.length > 0 ? [{ type: CK.CKA_ID, value: id }] : [{ type: CK.CKA_LABEL, value: token.labelOf(privateKey) ?? '' }];
  const [publicKey] = token.find([{ type: CK.CKA_CLASS, value: CK.CKO_PUBLIC_KEY }, ...sameId]);
  if (publicKey && keyType === CK.CKK_EC) {
    const params = token.attribute(publicKey, CK.CKA_EC_PARAMS);
    const point = token.attribute(publicKey, CK.CKA_EC_POINT);
    if (params && point) return ecSpki(params, point);
  }
  // RSA private keys carry their modulus and exponent as public attributes
  const rsaSource = keyType === CK.CKK_RSA ? (publicKey ?? privateKey) : undefined;
  if (rsaSource) {
    const modulus = token.attribute(rsaSource, CK.CKA_MODULUS);
    const exponent = token.attribute(rsaSource, CK.CKA_PUBLIC_EXPONENT);
    if (modulus && exponent) return sequence(algorithmIdentifier(RSA_ENCRYPTION, nullValue()), bitString(sequence(unsignedInteger(modulus), unsignedInteger(exponent))));
  }
  const [certificate] = token.find([{ type: CK.CKA_CLASS, value: CK.CKO_CERTIFICATE }, ...sameId]);
  const der = certificate && token.attribute(certificate, CK.CKA_VALUE);
  return der ? certificatePublicKey(new Uint8Array(der)) : undefined;
}

/** SPKI of an EC key from CKA_EC_PARAMS (the curve's OID) and CKA_EC_POINT (an OCTET STRING, or the bare point as some modules give it). */
export function ecSpki(params: Uint8Array, point: Uint8Array): Uint8Array {
  const curveOid = readDer(params, 'CKA_EC_PARAMS').oid('named curve');
  if (!CURVE_NAMES[curveOid]) throw new UnsupportedAlgorithmError(`EC curve ${curveOid}`, 'PKCS#11 key');
  let bare = point;
  if (point[0] === Tag.octetString) {
    try {
      bare = readDer(point, 'CKA_EC_POINT').octets();
    } catch {
      bare = point;
    }
  }
  return sequence(algorithmIdentifier(EC_PUBLIC_KEY, oid(curveOid)), bitString(bare));
}
