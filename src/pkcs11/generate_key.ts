import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { oid } from '../asn1/der_writer.js';
import { OID } from '../asn1/oids.js';
import { DEFAULT_RSA_BITS, type KeySpec } from '../crypto/keys.js';
import { Pkcs11Error, UnsupportedAlgorithmError } from '../errors.js';
import { CK, type Attribute } from './binding.js';
import { call, shown } from './device_error.js';
import { describeKey, objectTemplate, type Pkcs11KeyObject } from './key_object.js';
import type { Pkcs11Token } from './token.js';
import { formatPkcs11Uri, type Pkcs11Uri } from './uri.js';

const CURVE_OIDS: Readonly<Record<string, string>> = { 'P-256': OID.p256, 'P-384': OID.p384, 'P-521': OID.p521 };

export interface GenerateOptions {
  /**
   * Let the private key leave the token (CKA_EXTRACTABLE, not CKA_SENSITIVE), for a key that
   * must also be written to keystores, like the shared token key every instance holds. Off by
   * default: the key is made sensitive and never extractable.
   */
  extractable?: boolean;
  /** Allow the key to decrypt (RSA token keys, whose certificate allows key and data encipherment). */
  decrypt?: boolean;
}

/**
 * Generates an RSA or EC key pair on the token under the URI's object= label and id= (a random
 * CKA_ID when none is given), refusing a label or id already in use by a key or certificate.
 */
export function generateKeyPair(token: Pkcs11Token, uri: Pkcs11Uri, spec: KeySpec, options: GenerateOptions = {}): Pkcs11KeyObject {
  if (uri.object === undefined) throw new Pkcs11Error('ERR_PKCS11_URI', 'the PKCS#11 URI for a new key must give its label: object=<label>');
  if (uri.type !== undefined && uri.type !== 'private') throw new Pkcs11Error('ERR_PKCS11_URI', `the PKCS#11 URI names type=${uri.type}, but a key pair is made here`);
  for (const by of [{ object: uri.object }, ...(uri.id ? [{ id: uri.id }] : [])]) {
    const found = (objectClass: number): number => token.find(objectTemplate(by, objectClass)).length;
    const [keys, publicKeys, certificates] = [found(CK.CKO_PRIVATE_KEY), found(CK.CKO_PUBLIC_KEY), found(CK.CKO_CERTIFICATE)];
    if (keys + publicKeys + certificates === 0) continue;
    // a key pair without its certificate is what a run killed between generating and storing leaves
    const leftover = certificates === 0 && keys > 0 ? ' (a key pair without a certificate: left by a run that did not finish?)' : '';
    throw new Pkcs11Error('ERR_PKCS11_OBJECT_EXISTS', `${formatPkcs11Uri({ token: token.label, ...by })} is already in use on the token${leftover}: choose another object= (or id=), or delete the old objects (pkcs11-tool --delete-object)`);
  }
  const id = Buffer.from(uri.id ?? randomBytes(20));
  const common: Attribute[] = [{ type: CK.CKA_TOKEN, value: true }, { type: CK.CKA_LABEL, value: uri.object }, { type: CK.CKA_ID, value: id }];
  const extractable = options.extractable ?? false;
  const privateTemplate: Attribute[] = [
    ...common,
    { type: CK.CKA_CLASS, value: CK.CKO_PRIVATE_KEY },
    { type: CK.CKA_PRIVATE, value: true },
    { type: CK.CKA_SENSITIVE, value: !extractable },
    { type: CK.CKA_EXTRACTABLE, value: extractable },
    { type: CK.CKA_SIGN, value: true },
  ];
  const publicTemplate: Attribute[] = [...common, { type: CK.CKA_CLASS, value: CK.CKO_PUBLIC_KEY }, { type: CK.CKA_PRIVATE, value: false }, { type: CK.CKA_VERIFY, value: true }];
  let mechanism: number;
  if (spec.kty === 'rsa') {
    mechanism = CK.CKM_RSA_PKCS_KEY_PAIR_GEN;
    privateTemplate.push({ type: CK.CKA_KEY_TYPE, value: CK.CKK_RSA });
    if (options.decrypt) privateTemplate.push({ type: CK.CKA_DECRYPT, value: true });
    publicTemplate.push({ type: CK.CKA_KEY_TYPE, value: CK.CKK_RSA }, { type: CK.CKA_MODULUS_BITS, value: spec.bits ?? DEFAULT_RSA_BITS }, { type: CK.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) });
  } else if (spec.kty === 'ec') {
    mechanism = CK.CKM_EC_KEY_PAIR_GEN;
    privateTemplate.push({ type: CK.CKA_KEY_TYPE, value: CK.CKK_EC });
    publicTemplate.push({ type: CK.CKA_KEY_TYPE, value: CK.CKK_EC }, { type: CK.CKA_EC_PARAMS, value: Buffer.from(oid(CURVE_OIDS[spec.curve ?? 'P-256']!)) });
  } else {
    throw new UnsupportedAlgorithmError(spec.kty, 'keys made in a PKCS#11 token are RSA or EC');
  }
  const { module, session } = token;
  const pair = call(`generating a key pair (${spec.kty === 'rsa' ? `RSA ${spec.bits ?? DEFAULT_RSA_BITS}` : `EC ${spec.curve ?? 'P-256'}`})`, () =>
    module.C_GenerateKeyPair(session, { mechanism }, publicTemplate, privateTemplate),
  );
  return describeKey(token, pair.privateKey);
}

/** PKCS#8 of an extractable (not sensitive) key, read from its attributes; ERR_PKCS11_DEVICE when the token keeps it. */
export function exportPrivateKey(token: Pkcs11Token, key: Pkcs11KeyObject): Uint8Array {
  const read = (type: number, size = 0): string => {
    const value = token.attribute(key.handle, type);
    if (!value) throw new Pkcs11Error('ERR_PKCS11_DEVICE', `the token will not reveal private key ${shown(key.label ?? '')} (it is sensitive or not extractable)`);
    // a JWK's EC scalar has the curve's full length; a token may drop leading zero bytes
    return Buffer.concat([Buffer.alloc(Math.max(0, size - value.length)), value]).toString('base64url');
  };
  let jwk: Record<string, string>;
  if (key.keyType === 'RSA') {
    jwk = { kty: 'RSA', n: read(CK.CKA_MODULUS), e: read(CK.CKA_PUBLIC_EXPONENT), d: read(0x123), p: read(0x124), q: read(0x125), dp: read(0x126), dq: read(0x127), qi: read(0x128) };
  } else {
    // node gives the public key's JWK (kty, crv, x, y); the private scalar joins it
    const publicJwk = createPublicKey({ key: Buffer.from(key.publicKeyInfo), format: 'der', type: 'spki' }).export({ format: 'jwk' }) as Record<string, string>;
    jwk = { ...publicJwk, d: read(CK.CKA_VALUE, Math.ceil(key.bits / 8)) };
  }
  return new Uint8Array(createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'der' }));
}

/** Destroys a key's private and public objects and its certificate (same CKA_ID, else label). */
export function destroyKey(token: Pkcs11Token, key: Pkcs11KeyObject): void {
  const by = key.id ? { id: key.id } : key.label !== undefined ? { object: key.label } : undefined;
  const handles = by ? [CK.CKO_CERTIFICATE, CK.CKO_PUBLIC_KEY].flatMap((objectClass) => token.find(objectTemplate(by, objectClass))) : [];
  const { module, session } = token;
  for (const handle of [...handles, key.handle]) call('removing an object', () => module.C_DestroyObject(session, handle));
}
