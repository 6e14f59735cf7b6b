import { KeystoreFormatError } from '../errors.js';
import { concatBytes, latin1 } from '../lib/bytes.js';

/**
 * A strict, bounds-checked TLV reader for the DER (and the BER that old PKCS#12 writers emit:
 * indefinite lengths, constructed strings) inside keystores. It never allocates from a length
 * field: every length is checked against the bytes actually present first, and every error
 * names the byte offset, so a corrupt file gives a KeystoreFormatError, never a RangeError.
 */
export const TagClass = { universal: 0, application: 1, context: 2, private: 3 } as const;

export const Tag = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  printableString: 19,
  t61String: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  bmpString: 30,
} as const;

const MAX_DEPTH = 64;
// ignoreBOM: a leading U+FEFF is part of the value, as other readers show it, not dropped
const UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export class DerNode {
  /** The contents octets (for indefinite lengths, without the end-of-contents marker). */
  readonly content: Uint8Array;
  private encodedBytes: Uint8Array | undefined;
  private parsedChildren: DerNode[] | undefined;

  constructor(
    /** Offset of the tag byte, relative to the buffer given to readDer. */
    readonly offset: number,
    readonly cls: number,
    readonly tag: number,
    readonly constructed: boolean,
    /** The buffer read, and this element's span in it: `encoded` is cut from them when asked for. */
    private readonly source: Uint8Array,
    private readonly start: number,
    private readonly end: number,
    contentStart: number,
    contentEnd: number,
    private readonly base: number,
    private readonly depth: number,
    children?: DerNode[],
  ) {
    this.content = source.subarray(contentStart, contentEnd);
    this.parsedChildren = children;
  }

  /** The whole encoding: tag, length and contents. */
  get encoded(): Uint8Array {
    return (this.encodedBytes ??= this.source.subarray(this.start, this.end));
  }

  /** Bytes the whole encoding takes. */
  get encodedLength(): number {
    return this.end - this.start;
  }

  is(tag: number, cls: number = TagClass.universal): boolean {
    return this.tag === tag && this.cls === cls;
  }

  get children(): DerNode[] {
    if (!this.constructed) throw formatError(`expected a constructed ${describeTag(this)}`, this.offset);
    this.parsedChildren ??= readAll(this.content, this.base, this.depth + 1);
    return this.parsedChildren;
  }

  /**
   * The children one at a time, without keeping them: for a SEQUENCE of thousands (the bags of
   * a large PKCS#12) whose parsed trees, all alive at once, would take many times the input.
   */
  *eachChild(): Generator<DerNode> {
    if (!this.constructed) throw formatError(`expected a constructed ${describeTag(this)}`, this.offset);
    if (this.parsedChildren) {
      yield* this.parsedChildren;
      return;
    }
    let pos = 0;
    while (pos < this.content.length) {
      const node = readNode(this.content, pos, this.base, this.depth + 1);
      pos += node.encodedLength;
      yield node;
    }
  }

  /** The n-th child, which must exist. */
  child(index: number, what = 'element'): DerNode {
    const node = this.children[index];
    if (!node) throw formatError(`missing ${what} in ${describeTag(this)}`, this.offset);
    return node;
  }

  expect(tag: number, what: string, cls: number = TagClass.universal): this {
    if (!this.is(tag, cls)) throw formatError(`expected ${what}, found ${describeTag(this)}`, this.offset);
    return this;
  }

  sequence(what: string): DerNode[] {
    return this.expect(Tag.sequence, what).children;
  }

  oid(what = 'object identifier'): string {
    return decodeOid(this.oidContent(what), this.offset);
  }

  /** An OBJECT IDENTIFIER's contents, checked as oid() checks them but not decoded: for comparing with a known OID's bytes. */
  oidContent(what = 'object identifier'): Uint8Array {
    this.expect(Tag.oid, what);
    const bytes = this.content;
    if (bytes.length === 0) throw formatError('empty object identifier', this.offset);
    if (bytes.length > MAX_OID_BYTES) throw formatError(`object identifier of ${bytes.length} bytes`, this.offset);
    if (bytes[bytes.length - 1]! & 0x80) throw formatError('truncated object identifier', this.offset);
    return bytes;
  }

  /** INTEGER as a bigint (two's complement). */
  bigint(what = 'integer'): bigint {
    this.expect(Tag.integer, what);
    if (this.content.length === 0) throw formatError(`empty ${what}`, this.offset);
    let value = 0n;
    for (const byte of this.content) value = (value << 8n) | BigInt(byte);
    if (this.content[0]! & 0x80) value -= 1n << BigInt(this.content.length * 8);
    return value;
  }

  /** INTEGER that must fit in a safe non-negative number and lie within the bound. */
  integer(what: string, max = Number.MAX_SAFE_INTEGER): number {
    // decided on the length first: a 600 KB INTEGER must not be decoded only to be refused
    this.expect(Tag.integer, what);
    let significant = this.content.length;
    for (let i = 0; i < this.content.length - 1 && this.content[i] === 0; i++) significant--;
    if (significant > 8) throw formatError(`${what} out of range (${this.content.length}-byte integer)`, this.offset);
    const value = this.bigint(what);
    if (value < 0n || value > BigInt(max)) throw formatError(`${what} out of range (${value})`, this.offset);
    return Number(value);
  }

  /** OCTET STRING contents; a BER constructed OCTET STRING is concatenated. */
  octets(what = 'octet string'): Uint8Array {
    this.expect(Tag.octetString, what);
    return this.stringBytes();
  }

  /** The contents of a string type, primitive or (BER) constructed. */
  stringBytes(): Uint8Array {
    if (!this.constructed) return this.content;
    const parts = this.children.map((c) => c.stringBytes());
    return concatBytes(parts);
  }

  /** BIT STRING contents without the unused-bits octet. */
  bits(what = 'bit string'): Uint8Array {
    this.expect(Tag.bitString, what);
    const bytes = this.stringBytes();
    if (bytes.length === 0) throw formatError(`empty ${what}`, this.offset);
    return bytes.subarray(1);
  }

  /** Any character string type, decoded to a JS string. */
  text(what = 'string'): string {
    if (this.cls !== TagClass.universal) throw formatError(`expected ${what}, found ${describeTag(this)}`, this.offset);
    const bytes = this.stringBytes();
    switch (this.tag) {
      case Tag.bmpString:
        return decodeBmp(bytes, this.offset);
      case Tag.utf8String:
        return UTF8.decode(bytes);
      case Tag.printableString:
      case Tag.ia5String:
      case Tag.t61String:
        return latin1(bytes);
      default:
        throw formatError(`expected ${what}, found ${describeTag(this)}`, this.offset);
    }
  }

  /** The single element inside an explicitly tagged [n]. */
  explicit(n: number, what: string): DerNode {
    this.expect(n, what, TagClass.context);
    return this.child(0, what);
  }
}

/** Reads exactly one TLV that must span the whole input (trailing bytes are an error unless allowed). */
export function readDer(bytes: Uint8Array, what: string, options: { allowTrailing?: boolean } = {}): DerNode {
  if (bytes.length === 0) throw formatError(`${what} is empty`, 0);
  const node = readNode(bytes, 0, 0, 0);
  const end = node.encodedLength;
  if (end !== bytes.length && !options.allowTrailing) {
    throw formatError(`${what} has ${bytes.length - end} unexpected trailing bytes`, end);
  }
  return node;
}

/** True when the bytes start with a well-formed TLV covering them (used for sniffing; never throws). */
export function looksLikeDer(bytes: Uint8Array): boolean {
  try {
    readDer(bytes, 'input');
    return true;
  } catch {
    return false;
  }
}

function readAll(bytes: Uint8Array, base: number, depth: number): DerNode[] {
  const nodes: DerNode[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const node = readNode(bytes, pos, base, depth);
    nodes.push(node);
    pos += node.encodedLength;
  }
  return nodes;
}

/** One TLV at `start`; the caller moves on by its encodedLength. */
function readNode(bytes: Uint8Array, start: number, base: number, depth: number): DerNode {
  if (depth > MAX_DEPTH) throw formatError('ASN.1 nesting too deep', base + start);
  let pos = start;
  if (pos >= bytes.length) throw truncated(base + pos);
  const first = bytes[pos++]!;
  const cls = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let i = 0; ; i++) {
      if (pos >= bytes.length) throw truncated(base + pos);
      const b = bytes[pos++]!;
      if (i >= 4) throw formatError('ASN.1 tag number too large', base + start);
      tag = (tag << 7) | (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= bytes.length) throw truncated(base + pos);
  const lenByte = bytes[pos++]!;
  if (lenByte === 0x80) {
    if (!constructed) throw formatError('indefinite length on a primitive ASN.1 value', base + start);
    const contentStart = pos;
    const children: DerNode[] = [];
    for (;;) {
      if (pos + 2 > bytes.length) throw truncated(base + pos);
      if (bytes[pos] === 0 && bytes[pos + 1] === 0) break;
      const node = readNode(bytes, pos, base, depth + 1);
      children.push(node);
      pos += node.encodedLength;
    }
    return new DerNode(base + start, cls, tag, constructed, bytes, start, pos + 2, contentStart, pos, base + contentStart, depth, children);
  }
  let length: number;
  if (lenByte < 0x80) {
    length = lenByte;
  } else {
    const count = lenByte & 0x7f;
    if (count > 4) throw formatError('ASN.1 length field too large', base + pos - 1);
    if (pos + count > bytes.length) throw truncated(base + pos);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
  }
  if (length > bytes.length - pos) {
    throw formatError(`ASN.1 length ${length} exceeds the ${bytes.length - pos} bytes available`, base + start);
  }
  return new DerNode(base + start, cls, tag, constructed, bytes, start, pos + length, pos, pos + length, base + pos, depth);
}

function truncated(offset: number): KeystoreFormatError {
  return formatError('truncated ASN.1 data', offset);
}

/** Longest object identifier hapki decodes; real ones are under 30 bytes. */
const MAX_OID_BYTES = 128;

/** Decodes contents oidContent() has checked. */
function decodeOid(bytes: Uint8Array, offset: number): string {
  // the common case in numbers (arcs of up to 7 bytes, under 2^49); bigints only for longer arcs
  let text = '';
  let arc = 0;
  let arcBytes = 0;
  // indexed loops: the readers run cold (interpreted) on the first large input a process meets
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    arc = arc * 128 + (b & 0x7f);
    if (++arcBytes > 7) return decodeOidBig(bytes, offset);
    if ((b & 0x80) === 0) {
      text += text === '' ? (arc < 40 ? `0.${arc}` : arc < 80 ? `1.${arc - 40}` : `2.${arc - 80}`) : `.${arc}`;
      arc = 0;
      arcBytes = 0;
    }
  }
  if (arcBytes !== 0) throw formatError('truncated object identifier', offset);
  return text;
}

function decodeOidBig(bytes: Uint8Array, offset: number): string {
  const arcs: bigint[] = [];
  let value = 0n;
  let pending = false;
  for (const b of bytes) {
    value = (value << 7n) | BigInt(b & 0x7f);
    pending = true;
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
      pending = false;
    }
  }
  if (pending) throw formatError('truncated object identifier', offset);
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

function decodeBmp(bytes: Uint8Array, offset: number): string {
  if (bytes.length % 2 !== 0) throw formatError('BMPString of odd length', offset);
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) out += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  return out;
}


function describeTag(node: { cls: number; tag: number }): string {
  if (node.cls === TagClass.context) return `[${node.tag}]`;
  if (node.cls !== TagClass.universal) return `tag ${node.tag} of class ${node.cls}`;
  const name = Object.entries(Tag).find(([, v]) => v === node.tag)?.[0];
  return name ?? `universal tag ${node.tag}`;
}

function formatError(message: string, offset: number): KeystoreFormatError {
  return new KeystoreFormatError(message, offset);
}
