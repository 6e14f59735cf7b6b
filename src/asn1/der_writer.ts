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
  let lengthBytes = 0;
  if (length >= 0x80) for (let n = length; n > 0; n = Math.floor(n / 256)) lengthBytes++;
  const out = new Uint8Array(2 + lengthBytes + length);
  out[0] = head;
  let pos = 2;
  if (lengthBytes === 0) out[1] = length;
  else {
    out[1] = 0x80 | lengthBytes;
    for (let i = lengthBytes, n = length; i > 0; i--, n = Math.floor(n / 256)) out[1 + i] = n & 0xff;
    pos += lengthBytes;
  }
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
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
