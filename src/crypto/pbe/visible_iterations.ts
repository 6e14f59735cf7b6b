import { readDer, Tag, type DerNode } from '../../asn1/der_reader.js';
import { OID } from '../../asn1/oids.js';

/** AlgorithmIdentifiers whose parameters start with { salt OCTET STRING, iterationCount INTEGER }. */
const DERIVATIONS = new Set<string>([
  OID.pbeWithSHAAnd128BitRC4,
  OID.pbeWithSHAAnd40BitRC4,
  OID.pbeWithSHAAnd3KeyTripleDESCBC,
  OID.pbeWithSHAAnd2KeyTripleDESCBC,
  OID.pbeWithSHAAnd128BitRC2CBC,
  OID.pbeWithSHAAnd40BitRC2CBC,
  OID.pbkdf2,
  '1.2.840.113549.1.5.1', // PBES1 MD2/MD5/SHA-1 with DES/RC2
  '1.2.840.113549.1.5.3',
  '1.2.840.113549.1.5.4',
  '1.2.840.113549.1.5.6',
  '1.2.840.113549.1.5.10',
  '1.2.840.113549.1.5.11',
]);

export interface VisibleCount {
  iterations: number;
  what: string;
  offset: number;
}

/**
 * The iteration counts a DER structure shows without decryption: every PBE or PBKDF2
 * AlgorithmIdentifier, inside OCTET STRINGs that hold DER too (a PKCS#12's authSafe), plus the
 * MacData count when `macData` is given. A walk with an explicit stack, linear in the input;
 * what does not parse is skipped (the reader proper reports it).
 */
export function visibleIterations(root: DerNode, macData?: DerNode): VisibleCount[] {
  const counts: VisibleCount[] = [];
  const add = (node: DerNode | undefined, what: string): void => {
    if (!node?.is(Tag.integer)) return;
    try {
      counts.push({ iterations: node.integer(what), what, offset: node.offset });
    } catch {
      // an out-of-range count: the reader refuses it where it meets it
    }
  };
  if (macData) add(safeChildren(macData)?.[2], 'MAC iteration count');
  const stack: DerNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.is(Tag.octetString) && !node.constructed) {
      if (node.content[0] === 0x30) {
        try {
          stack.push(readDer(node.content, 'encapsulated'));
        } catch {
          // not DER: ciphertext or a plain value
        }
      }
      continue;
    }
    if (!node.constructed) continue;
    const children = safeChildren(node);
    if (!children) continue;
    if (node.is(Tag.sequence) && children[0]?.is(Tag.oid) && children[1]?.is(Tag.sequence)) {
      let oid: string | undefined;
      try {
        oid = children[0].oid();
      } catch {
        oid = undefined;
      }
      if (oid !== undefined && DERIVATIONS.has(oid)) {
        const params = safeChildren(children[1]);
        if (params?.[0]?.is(Tag.octetString)) add(params[1], oid === OID.pbkdf2 ? 'PBKDF2 iteration count' : 'PBE iteration count');
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return counts;
}

function safeChildren(node: DerNode): DerNode[] | undefined {
  try {
    return node.children;
  } catch {
    return undefined;
  }
}
