/**
 * An editable ASN.1 tree for structure-aware mutation: parse DER (definite lengths) into nodes,
 * change a node, encode again with every enclosing length recomputed. OCTET and BIT STRINGs whose
 * contents are DER themselves (a PKCS#12 authSafe, an extension value, an RSA key) are parsed
 * into `inner`, so edits reach what they wrap.
 */
export interface Asn1Node {
  /** Identifier octets as they were. */
  tag: Uint8Array;
  constructed: boolean;
  /** Children of a constructed node. */
  children?: Asn1Node[];
  /** Contents of a primitive node (when `inner` is set, ignored on encoding). */
  content?: Uint8Array;
  /** DER held by an OCTET STRING or (after its unused-bits octet) a BIT STRING. */
  inner?: Asn1Node;
}

const MAX_DEPTH = 40;

export function parseTree(bytes: Uint8Array): Asn1Node | undefined {
  const result = parseAt(bytes, 0, 0);
  return result && result.end === bytes.length ? result.node : undefined;
}

function parseAt(bytes: Uint8Array, start: number, depth: number): { node: Asn1Node; end: number } | undefined {
  if (depth > MAX_DEPTH || start + 2 > bytes.length) return undefined;
  let pos = start;
  const first = bytes[pos++]!;
  if ((first & 0x1f) === 0x1f) {
    while (pos < bytes.length && bytes[pos]! & 0x80) pos++;
    pos++;
  }
  if (pos >= bytes.length) return undefined;
  const tag = bytes.slice(start, pos);
  const lenByte = bytes[pos++]!;
  let length = lenByte;
  if (lenByte & 0x80) {
    const count = lenByte & 0x7f;
    if (count === 0 || count > 4 || pos + count > bytes.length) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
  }
  if (pos + length > bytes.length) return undefined;
  const content = bytes.subarray(pos, pos + length);
  const end = pos + length;
  const constructed = (first & 0x20) !== 0;
  if (constructed) {
    const children: Asn1Node[] = [];
    let at = 0;
    while (at < content.length) {
      const child = parseAt(content, at, depth + 1);
      if (!child) return { node: { tag, constructed: false, content }, end }; // keep as opaque bytes
      children.push(child.node);
      at = child.end;
    }
    return { node: { tag, constructed, children }, end };
  }
  const node: Asn1Node = { tag, constructed, content };
  if (first === 0x04 && content[0] === 0x30) {
    const inner = parseAt(content, 0, depth + 1);
    if (inner && inner.end === content.length) node.inner = inner.node;
  } else if (first === 0x03 && content[0] === 0 && content[1] === 0x30) {
    const inner = parseAt(content.subarray(1), 0, depth + 1);
    if (inner && inner.end === content.length - 1) node.inner = inner.node;
  }
  return { node, end };
}

export function encodeTree(node: Asn1Node): Uint8Array {
  let content: Uint8Array;
  if (node.children) content = Buffer.concat(node.children.map(encodeTree));
  else if (node.inner) {
    const inner = encodeTree(node.inner);
    content = node.tag[0] === 0x03 ? Buffer.concat([Uint8Array.of(0), inner]) : inner;
  } else content = node.content ?? new Uint8Array(0);
  return Buffer.concat([node.tag, encodeLength(content.length), content]);
}

export function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

/** Every node, parents before children, with its parent (iterative). */
export function allNodes(root: Asn1Node): { node: Asn1Node; parent: Asn1Node | undefined }[] {
  const out: { node: Asn1Node; parent: Asn1Node | undefined }[] = [];
  const stack: { node: Asn1Node; parent: Asn1Node | undefined }[] = [{ node: root, parent: undefined }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    out.push(item);
    if (item.node.inner) stack.push({ node: item.node.inner, parent: item.node });
    for (const child of [...(item.node.children ?? [])].reverse()) stack.push({ node: child, parent: item.node });
  }
  return out;
}

export function clone(node: Asn1Node): Asn1Node {
  return structuredClone(node);
}

/** A primitive node of that universal tag. */
export function primitive(tag: number, content: Uint8Array): Asn1Node {
  return { tag: Uint8Array.of(tag), constructed: false, content };
}

/** Unsigned big-endian INTEGER contents for a value. */
export function integerContent(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return bytes[0]! & 0x80 ? Buffer.concat([Uint8Array.of(0), bytes]) : bytes;
}
