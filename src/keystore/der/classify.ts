import { Tag, TagClass, type DerNode } from '../../asn1/der_reader.js';

/** What a top-level DER structure is, judged by its shape alone. */
export type DerKind = 'pkcs12' | 'certificate' | 'pkcs8' | 'encrypted-pkcs8' | 'pkcs1' | 'sec1' | 'pkcs7';

export function classifyDer(node: DerNode): DerKind | undefined {
  if (!node.is(Tag.sequence)) return undefined;
  let c: DerNode[];
  try {
    c = node.children;
  } catch {
    return undefined;
  }
  const [a, b, d] = c;
  if (!a || !b) return undefined;
  if (a.is(Tag.integer) && b.is(Tag.sequence) && (c.length === 2 || (c.length === 3 && d?.is(Tag.sequence)))) {
    return smallInt(a) === 3 && firstIsOid(b) ? 'pkcs12' : undefined;
  }
  if (a.is(Tag.sequence) && b.is(Tag.sequence) && d?.is(Tag.bitString) && c.length === 3) return 'certificate';
  if (a.is(Tag.integer) && b.is(Tag.sequence) && d?.is(Tag.octetString) && firstIsOid(b)) return 'pkcs8';
  if (a.is(Tag.sequence) && b.is(Tag.octetString) && c.length === 2 && firstIsOid(a)) return 'encrypted-pkcs8';
  if (a.is(Tag.oid) && b.is(0, TagClass.context) && c.length === 2) return 'pkcs7';
  if (c.length >= 9 && c.every((x) => x.is(Tag.integer))) return 'pkcs1';
  if (a.is(Tag.integer) && smallInt(a) === 1 && b.is(Tag.octetString) && c.slice(2).every((x) => x.cls === TagClass.context)) return 'sec1';
  return undefined;
}

function smallInt(node: DerNode): number | undefined {
  return node.content.length === 1 ? node.content[0] : undefined;
}

function firstIsOid(node: DerNode): boolean {
  try {
    return node.children[0]?.is(Tag.oid) ?? false;
  } catch {
    return false;
  }
}
