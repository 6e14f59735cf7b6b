import { concatBytes, utf16be, utf8 } from '../lib/bytes.js';
import { Tag, TagClass } from './der_reader.js';

/** DER encoders: each returns one complete TLV. */

export function tlv(tag: number, content: Uint8Array, options: { constructed?: boolean; cls?: number } = {}): Uint8Array {
  const cls = options.cls ?? TagClass.universal;
  const constructed = options.constructed ?? (cls === TagClass.universal && (tag === Tag.sequence || tag === Tag.set));
  if (tag > 30) throw new TypeError(`tag ${tag} needs the long form, which hapki never writes`);
  return withHeader((cls << 6) | (constructed ? 0x20 : 0) | tag, [content]);
}

/** One TLV whose contents are the parts, written straight into one buffer (no copy per level). */
function withHeader(head: number, parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(headerLength(length) + length);
  let pos = writeHeader(out, 0, head, length);
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function headerLength(contentLength: number): number {
  let lengthBytes = 0;
  if (contentLength >= 0x80) for (let n = contentLength; n > 0; n = Math.floor(n / 256)) lengthBytes++;
  return 2 + lengthBytes;
}

/** Writes identifier and length octets at pos; returns the position after them. */
function writeHeader(out: Uint8Array, pos: number, head: number, contentLength: number): number {
  out[pos] = head;
  if (contentLength < 0x80) {
    out[pos + 1] = contentLength;
    return pos + 2;
  }
  const lengthBytes = headerLength(contentLength) - 2;
  out[pos + 1] = 0x80 | lengthBytes;
  for (let i = lengthBytes, n = contentLength; i > 0; i--, n = Math.floor(n / 256)) out[pos + 1 + i] = n & 0xff;
  return pos + 2 + lengthBytes;
}

/**
 * A TLV not yet serialised: its header over parts that are encoded bytes or further trees. A
 * large structure (a PKCS#12 of thousands of bags) is built as a tree of these, holding
 * references to its leaves, and written once by encodeDer into one buffer of the exact size,
 * instead of every nesting level copying everything below it.
 */
export class DerTree {
  readonly contentLength: number;
  /** The encoded length: header plus contents. */
  readonly length: number;

  constructor(
    readonly head: number,
    readonly parts: readonly DerPart[],
  ) {
    let n = 0;
    for (const p of parts) n += p.length;
    this.contentLength = n;
    this.length = headerLength(n) + n;
  }
}

/** Encoded DER bytes, or a tree to be encoded. */
export type DerPart = Uint8Array | DerTree;

/** SEQUENCE over parts, serialised later (encodeDer). */
export function sequenceTree(...items: DerPart[]): DerTree {
  return new DerTree(0x30, items);
}

/** [n] EXPLICIT over one part, serialised later. */
export function explicitTree(n: number, inner: DerPart): DerTree {
  if (n > 30) throw new TypeError(`tag ${n} needs the long form, which hapki never writes`);
  return new DerTree(0xa0 | n, [inner]);
}

/**
 * A primitive TLV (OCTET STRING, [n] IMPLICIT primitive...) whose contents are the parts
 * concatenated; a tree as a part is its encoding (an OCTET STRING wrapping DER).
 */
export function primitiveTree(head: number, ...content: DerPart[]): DerTree {
  if ((head & 0x1f) > 30 || head & 0x20) throw new TypeError(`primitiveTree: bad identifier ${head}`);
  return new DerTree(head, content);
}

/** The DER bytes of a part: a tree is written once, each byte once, into one exact buffer. */
export function encodeDer(part: DerPart): Uint8Array {
  if (!(part instanceof DerTree)) return part;
  const out = new Uint8Array(part.length);
  const end = writeTree(out, 0, part);
  if (end !== out.length) throw new Error('DER tree length mismatch');
  return out;
}

function writeTree(out: Uint8Array, start: number, tree: DerTree): number {
  let pos = writeHeader(out, start, tree.head, tree.contentLength);
  for (const p of tree.parts) {
    if (p instanceof DerTree) pos = writeTree(out, pos, p);
    else {
      out.set(p, pos);
      pos += p.length;
    }
  }
  return pos;
}

/**
 * The same TLV with fewer objects: the headers and small leaves below its own header merged into
 * runs of bytes, each leaf of `copyFrom` bytes or more kept by reference. A PKCS#12 of thousands
 * of bags holds each bag as a SEQUENCE over three parts (what precedes the certificate, the
 * certificate, its attributes), not as a dozen nodes and small arrays.
 */
export function compactTree(tree: DerTree, copyFrom = 256): DerTree {
  const parts: Uint8Array[] = [];
  let small: Uint8Array[] = [];
  const flush = (): void => {
    if (small.length > 0) parts.push(small.length === 1 ? small[0]! : concatBytes(small));
    small = [];
  };
  for (const part of tree.parts) {
    for (const chunk of derChunks(part)) {
      if (chunk.length < copyFrom) small.push(chunk);
      else {
        flush();
        parts.push(chunk);
      }
    }
  }
  flush();
  return new DerTree(tree.head, parts);
}

/**
 * The encoding of a part as a run of chunks (headers and leaves, in order), without
 * serialising it: for hashing or MACing a structure that is written later.
 */
export function* derChunks(part: DerPart): Generator<Uint8Array> {
  if (!(part instanceof DerTree)) {
    yield part;
    return;
  }
  const header = new Uint8Array(headerLength(part.contentLength));
  writeHeader(header, 0, part.head, part.contentLength);
  yield header;
  for (const p of part.parts) yield* derChunks(p);
}

export function sequence(...items: Uint8Array[]): Uint8Array {
  return withHeader(0x30, items);
}

/** SET OF, with its elements sorted as DER requires. */
export function setOf(...items: Uint8Array[]): Uint8Array {
  return withHeader(0x31, [...items].sort(compareBytes));
}

export function integer(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  const bytes: number[] = [];
  if (v === 0n) bytes.push(0);
  const negative = v < 0n;
  while (v !== 0n && v !== -1n) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  if (negative && (bytes.length === 0 || (bytes[0]! & 0x80) === 0)) bytes.unshift(0xff);
  if (!negative && bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(Tag.integer, Uint8Array.from(bytes));
}

/** INTEGER from unsigned big-endian magnitude bytes. */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const body = trimmed.length === 0 ? Uint8Array.of(0) : trimmed[0]! & 0x80 ? concatBytes([Uint8Array.of(0), trimmed]) : trimmed;
  return tlv(Tag.integer, body);
}

export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(Tag.octetString, bytes);
}

export function bitString(bytes: Uint8Array): Uint8Array {
  return withHeader(Tag.bitString, [UNUSED_BITS_NONE, bytes]);
}

const UNUSED_BITS_NONE = Uint8Array.of(0);

export function nullValue(): Uint8Array {
  return Uint8Array.of(Tag.null, 0);
}

export function bmpString(text: string): Uint8Array {
  return tlv(Tag.bmpString, utf16be(text));
}

export function utf8String(text: string): Uint8Array {
  return tlv(Tag.utf8String, utf8(text));
}

/** Encoded OIDs: a certificate writes the same dozen over and over. */
const OID_CACHE = new Map<string, Uint8Array>();

export function oid(dotted: string): Uint8Array {
  let encoded = OID_CACHE.get(dotted);
  if (!encoded) {
    encoded = encodeOid(dotted);
    if (OID_CACHE.size < 1024) OID_CACHE.set(dotted, encoded);
  }
  return encoded.slice();
}

function encodeOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new TypeError(`invalid OID ${dotted}`);
    return BigInt(a);
  });
  if (arcs.length < 2) throw new TypeError(`invalid OID ${dotted}`);
  const values = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)];
  const out: number[] = [];
  for (const v of values) {
    const chunk: number[] = [Number(v & 0x7fn)];
    for (let rest = v >> 7n; rest > 0n; rest >>= 7n) chunk.unshift(Number(rest & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return tlv(Tag.oid, Uint8Array.from(out));
}

/** [n] EXPLICIT wrapping one element. */
export function explicit(n: number, inner: Uint8Array): Uint8Array {
  if (n > 30) throw new TypeError(`tag ${n} needs the long form, which hapki never writes`);
  return withHeader(0xa0 | n, [inner]);
}

/** [n] IMPLICIT primitive contents. */
export function implicitPrimitive(n: number, content: Uint8Array): Uint8Array {
  return tlv(n, content, { cls: TagClass.context, constructed: false });
}

/** AlgorithmIdentifier: SEQUENCE { algorithm OID, parameters } (parameters omitted when undefined). */
export function algorithmIdentifier(algorithm: string, parameters?: Uint8Array): Uint8Array {
  return parameters === undefined ? sequence(oid(algorithm)) : sequence(oid(algorithm), parameters);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function boolean(value: boolean): Uint8Array {
  return Uint8Array.of(Tag.boolean, 1, value ? 0xff : 0);
}

/**
 * An X.509 Time (RFC 5280 4.1.2.5): UTCTime through 2049, GeneralizedTime from 2050, whole
 * seconds, always Zulu.
 */
export function time(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  const two = (n: number): string => String(n).padStart(2, '0');
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(Tag.utcTime, ascii(`${two(year % 100)}${rest}`));
  if (year < 0 || year > 9999) throw new TypeError(`year ${year} cannot be written as an X.509 time`);
  return tlv(Tag.generalizedTime, ascii(`${String(year).padStart(4, '0')}${rest}`));
}

/** [n] IMPLICIT constructed contents (the elements given, concatenated). */
export function implicitConstructed(n: number, ...items: Uint8Array[]): Uint8Array {
  if (n > 30) throw new TypeError(`tag ${n} needs the long form, which hapki never writes`);
  return withHeader(0xa0 | n, items);
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
