import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDer, type DerNode } from '../../../src/asn1/der_reader.js';
import { explicit, integer, octetString, oid, sequence } from '../../../src/asn1/der_writer.js';
import { OID } from '../../../src/asn1/oids.js';
import type { Keystore } from '../../../src/keystore/model.js';
import { createMacData, type MacHash } from '../../../src/keystore/pkcs12/mac.js';
import { openssl } from '../../helpers/tools.js';

/** Test-only helpers to take PFX files apart and put (altered) ones back together. */

export function dataContentInfo(content: Uint8Array): Uint8Array {
  return sequence(oid(OID.data), explicit(0, octetString(content)));
}

/** A PFX around the AuthenticatedSafe, with a fresh, correct MAC (or none). */
export async function buildPfx(authSafe: Uint8Array, password: string | null | undefined, hash: MacHash = 'sha256'): Promise<Uint8Array> {
  if (password === undefined) return sequence(integer(3), dataContentInfo(authSafe));
  return sequence(integer(3), dataContentInfo(authSafe), await createMacData(authSafe, password, { hash, iterations: 1 }));
}

/** The AuthenticatedSafe bytes inside a PFX. */
export function authSafeOf(pfx: Uint8Array): Uint8Array {
  return readDer(pfx, 'pfx').child(1).child(1).child(0).octets();
}

/** Offset of a node's contents within the buffer `base` it was read from. */
export function contentOffset(node: DerNode, base: Uint8Array): number {
  return node.content.byteOffset - base.byteOffset;
}

export interface Material {
  pkcs8: Uint8Array;
  cert: Uint8Array;
  caPkcs8: Uint8Array;
  caCert: Uint8Array;
  leafSignedByCa: Uint8Array;
  leafKey: Uint8Array;
}

function pemToDer(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
}

/** Keys and certificates for unit tests: a self-signed EC cert, and a CA with a leaf. */
export async function makeMaterial(dir: string): Promise<Material> {
  const p = (n: string): string => join(dir, n);
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('a.key'), '-out', p('a.crt'), '-subj', '/CN=a', '-days', '30']);
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-subj', '/CN=ca', '-days', '30']);
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('l.key'), '-out', p('l.csr'), '-subj', '/CN=leaf']);
  await openssl(['x509', '-req', '-in', p('l.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('l.crt'), '-days', '30']);
  const read = (n: string): Uint8Array => pemToDer(readFileSync(p(n), 'utf8'));
  return { pkcs8: read('a.key'), cert: read('a.crt'), caPkcs8: read('ca.key'), caCert: read('ca.crt'), leafSignedByCa: read('l.crt'), leafKey: read('l.key') };
}

export function storeOf(entries: Keystore['entries']): Keystore {
  return { format: 'PKCS12', entries, integrityChecked: true, warnings: [] };
}
