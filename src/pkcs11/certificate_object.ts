import { tlv } from '../asn1/der_writer.js';
import { Tag } from '../asn1/der_reader.js';
import { certificateNames } from '../cert/names.js';
import { readTbs } from '../cert/tbs.js';
import { bytesEqual } from '../lib/bytes.js';
import { CK, type Attribute } from './binding.js';
import { call } from './device_error.js';
import type { Pkcs11KeyObject } from './key_object.js';
import type { Pkcs11Token } from './token.js';

/** The certificate stored beside a key: same CKA_ID, else same label. */
export function findCertificate(token: Pkcs11Token, key: Pick<Pkcs11KeyObject, 'id' | 'label'>): Uint8Array | undefined {
  const by: Attribute[] = key.id ? [{ type: CK.CKA_ID, value: Buffer.from(key.id) }] : key.label !== undefined ? [{ type: CK.CKA_LABEL, value: key.label }] : [];
  if (by.length === 0) return undefined;
  for (const handle of token.find([{ type: CK.CKA_CLASS, value: CK.CKO_CERTIFICATE }, ...by])) {
    const value = token.attribute(handle, CK.CKA_VALUE);
    if (value && value.length > 0) return new Uint8Array(value);
  }
  return undefined;
}

/** Stores an X.509 certificate on the token under the key's label and CKA_ID, as PKCS#11 tools and keytool's PKCS11 keystore expect. */
export function storeCertificate(token: Pkcs11Token, key: Pick<Pkcs11KeyObject, 'id' | 'label'>, der: Uint8Array): void {
  const tbs = readTbs(der);
  const template: Attribute[] = [
    { type: CK.CKA_CLASS, value: CK.CKO_CERTIFICATE },
    { type: CK.CKA_CERTIFICATE_TYPE, value: CK.CKC_X_509 },
    { type: CK.CKA_TOKEN, value: true },
    { type: CK.CKA_PRIVATE, value: false },
    { type: CK.CKA_SUBJECT, value: Buffer.from(tbs.subject) },
    { type: CK.CKA_ISSUER, value: Buffer.from(tbs.issuer) },
    { type: CK.CKA_SERIAL_NUMBER, value: Buffer.from(tlv(Tag.integer, tbs.serial)) },
    { type: CK.CKA_VALUE, value: Buffer.from(der) },
  ];
  if (key.label !== undefined) template.push({ type: CK.CKA_LABEL, value: key.label });
  if (key.id) template.push({ type: CK.CKA_ID, value: Buffer.from(key.id) });
  const { module, session } = token;
  call('storing the certificate', () => module.C_CreateObject(session, template));
}

/** Every certificate on the token (their DER). */
export function tokenCertificates(token: Pkcs11Token): Uint8Array[] {
  return token
    .find([{ type: CK.CKA_CLASS, value: CK.CKO_CERTIFICATE }])
    .map((handle) => token.attribute(handle, CK.CKA_VALUE))
    .filter((value): value is Buffer => value !== undefined && value.length > 0)
    .map((value) => new Uint8Array(value));
}

/** The leaf and, while the token has it, each issuer above it (by name), stopping at a self-issued one. */
export function issuerChain(leaf: Uint8Array, pool: Uint8Array[]): Uint8Array[] {
  const chain = [leaf];
  for (let depth = 0; depth < 8; depth++) {
    const names = certificateNames(chain[chain.length - 1]!);
    if (bytesEqual(names.issuer, names.subject)) break;
    const parent = pool.find((der) => !chain.some((c) => bytesEqual(c, der)) && bytesEqual(certificateNames(der).subject, names.issuer));
    if (!parent) break;
    chain.push(parent);
  }
  return chain;
}
