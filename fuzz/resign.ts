import { sign, type KeyObject } from 'node:crypto';
import { encodeTree, parseTree, type Asn1Node } from './asn1_tree.js';
import { editTree, type Random } from './mutate.js';

/**
 * Mutations past the signature: a mutated request, CRL or OCSP response mostly stops at its
 * signature check, so the code after it (policy, names, entries, times) sees few mutants. This
 * edits only the signed part (`tbs`) of a SIGNED{} value and signs it again with the seed's own
 * key, so the result verifies and carries the edit inward.
 *
 * `locate` finds the SIGNED{} SEQUENCE (tbs, algorithm, BIT STRING) within the parsed seed: the
 * root for a request or a CRL, the BasicOCSPResponse inside an OCSP response's OCTET STRING.
 */
export function mutateAndResign(seed: Uint8Array, key: KeyObject, random: Random, locate: (root: Asn1Node) => Asn1Node | undefined = (root) => root): Uint8Array | undefined {
  const root = parseTree(seed);
  const signed = root && locate(root);
  const [tbs, , signature] = signed?.children ?? [];
  if (!root || !tbs || !signature) return undefined;
  const edits = 1 + random.int(3);
  for (let e = 0; e < edits; e++) editTree(tbs, random);
  // an edit may have replaced the tbs node's children with raw bytes: it is signed as it encodes
  const value = sign('sha256', encodeTree(tbs), key);
  signature.inner = undefined;
  signature.children = undefined;
  signature.content = Buffer.concat([Uint8Array.of(0), value]);
  return encodeTree(root);
}

/** The BasicOCSPResponse of an OCSPResponse: responseBytes [0] { SEQUENCE { oid, OCTET STRING { ... } } }. */
export const basicOcspResponse = (root: Asn1Node): Asn1Node | undefined => root.children?.[1]?.children?.[0]?.children?.[1]?.inner;
