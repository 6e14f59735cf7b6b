import { describeCertificate } from '../cert/describe.js';
import type { EntrySummary, KeystoreSummary } from '../keystore/summary.js';
import { bytesEqual, toHex } from '../lib/bytes.js';
import { CK, type Handle } from './binding.js';
import { findCertificate, issuerChain } from './certificate_object.js';
import { describeKey } from './key_object.js';
import type { Pkcs11Token } from './token.js';
import { formatPkcs11Uri } from './uri.js';

/** One token object as `hapki list pkcs11:...` shows it: a keystore entry plus its PKCS#11 names. */
export interface Pkcs11EntrySummary extends EntrySummary {
  /** The URI that selects this object (no PIN, no module). */
  uri: string;
  /** CKA_ID, hex. */
  id?: string;
  /** For private keys: whether the key may ever leave the token. */
  extractable?: boolean;
}

export interface Pkcs11TokenSummary extends KeystoreSummary {
  format: 'PKCS11';
  token: string;
  entries: Pkcs11EntrySummary[];
}

/**
 * The token's objects as keystore entries: each private key with its certificate (same CKA_ID)
 * and the issuers found on the token, each other certificate as a trusted certificate, each
 * secret key. Objects the user may not see without a login are listed only when logged in.
 */
export function listToken(token: Pkcs11Token): Pkcs11TokenSummary {
  const entries: Pkcs11EntrySummary[] = [];
  const certificates = token.find([{ type: CK.CKA_CLASS, value: CK.CKO_CERTIFICATE }]).map((handle) => certificateObject(token, handle)).filter((c) => c.der.length > 0);
  const paired = new Set<Uint8Array>();
  for (const handle of token.find([{ type: CK.CKA_CLASS, value: CK.CKO_PRIVATE_KEY }])) {
    const label = token.labelOf(handle);
    const id = token.attribute(handle, CK.CKA_ID);
    const base = entryBase(token.label, label, id, 'private');
    let key;
    try {
      key = describeKey(token, handle);
    } catch {
      entries.push({ ...base, type: 'private-key', chain: [] });
      continue;
    }
    const leaf = findCertificate(token, key);
    const chain = leaf ? issuerChain(leaf, certificates.map((c) => c.der)) : [];
    for (const c of certificates) if (leaf && bytesEqual(c.der, leaf)) paired.add(c.der);
    const extractable = token.flag(handle, CK.CKA_EXTRACTABLE);
    entries.push({
      ...base,
      type: 'private-key',
      chain: chain.map(describeCertificate),
      algorithm: key.keyType === 'EC' ? `EC ${key.curve}` : 'RSA',
      bits: key.bits,
      ...(extractable === undefined ? {} : { extractable }),
    });
  }
  for (const c of certificates) {
    if (paired.has(c.der)) continue;
    entries.push({ ...entryBase(token.label, c.label, c.id, 'cert'), type: 'trusted-cert', chain: [describeCertificate(c.der)] });
  }
  for (const handle of token.find([{ type: CK.CKA_CLASS, value: CK.CKO_SECRET_KEY }])) {
    const value = token.attribute(handle, CK.CKA_VALUE);
    entries.push({ ...entryBase(token.label, token.labelOf(handle), token.attribute(handle, CK.CKA_ID), 'secret-key'), type: 'secret-key', chain: [], ...(value ? { bits: value.length * 8 } : {}) });
  }
  // a module returns objects in no set order: list them by alias, as a keystore would
  entries.sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  return { format: 'PKCS11', token: token.label, entries };
}

function certificateObject(token: Pkcs11Token, handle: Handle): { der: Uint8Array; label: string | undefined; id: Buffer | undefined } {
  const value = token.attribute(handle, CK.CKA_VALUE);
  return { der: value ? new Uint8Array(value) : new Uint8Array(), label: token.labelOf(handle), id: token.attribute(handle, CK.CKA_ID) };
}

function entryBase(tokenLabel: string, label: string | undefined, id: Buffer | undefined, type: 'private' | 'cert' | 'secret-key'): Pick<Pkcs11EntrySummary, 'alias' | 'uri' | 'id'> {
  const hasId = id !== undefined && id.length > 0;
  const uri = formatPkcs11Uri({ token: tokenLabel, ...(label === undefined ? {} : { object: label }), ...(hasId ? { id: new Uint8Array(id) } : {}), type });
  return { alias: label ?? (hasId ? toHex(id) : ''), uri, ...(hasId ? { id: toHex(id) } : {}) };
}
