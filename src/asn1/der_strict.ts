import { Tag, TagClass } from './der_reader.js';

/** Universal types that DER encodes primitive only (a constructed one is BER). */
const PRIMITIVE_ONLY: ReadonlySet<number> = new Set([Tag.boolean, Tag.integer, Tag.bitString, Tag.octetString, Tag.null, Tag.oid, Tag.utf8String, Tag.printableString, Tag.t61String, Tag.ia5String, Tag.utcTime, Tag.generalizedTime, Tag.bmpString, 26, 28]);

const MAX_DEPTH = 64;

/**
 * Why `bytes` is not one distinguished encoding (X.690 DER), or undefined: lengths definite and
 * minimal, tag numbers minimal, strings and other primitive types not constructed, BOOLEAN one
 * octet of 00 or FF, INTEGER minimal and not empty, NULL empty, nothing after the element. The
 * reader accepts BER (old PKCS#12 writers need it); what is signed and certified must be DER, so
 * that one request has one encoding. Never throws; the reason names the byte offset.
 */
export function derProblem(bytes: Uint8Array): string | undefined {
  try {
    const end = walk(bytes, 0, bytes.length, 0);
    return end === bytes.length ? undefined : `trailing bytes at byte ${end}`;
  } catch (problem) {
    if (problem instanceof NotDer) return problem.message;
    throw problem;
  }
}

class NotDer extends Error {}

/** Checks the elements in [start, limit) and returns where the last one ended (one element when depth is 0). */
function walk(bytes: Uint8Array, start: number, limit: number, depth: number): number {
  if (depth > MAX_DEPTH) throw new NotDer(`nesting too deep at byte ${start}`);
  let pos = start;
  do {
    const at = pos;
    if (pos >= limit) throw new NotDer(`truncated at byte ${pos}`);
    const first = bytes[pos++]!;
    const cls = first >> 6;
    const constructed = (first & 0x20) !== 0;
    let tag = first & 0x1f;
    if (tag === 0x1f) {
      if (pos >= limit) throw new NotDer(`truncated at byte ${pos}`);
      if (bytes[pos] === 0x80) throw new NotDer(`a tag number with a leading zero at byte ${at}`);
      tag = 0;
      for (let i = 0; ; i++) {
        if (pos >= limit || i >= 4) throw new NotDer(`a bad tag number at byte ${at}`);
        const b = bytes[pos++]!;
        tag = tag * 128 + (b & 0x7f);
        if ((b & 0x80) === 0) break;
      }
      if (tag < 0x1f) throw new NotDer(`a tag number in long form that fits the short one at byte ${at}`);
    }
    if (pos >= limit) throw new NotDer(`truncated at byte ${pos}`);
    const lenByte = bytes[pos++]!;
    let length: number;
    if (lenByte === 0x80) throw new NotDer(`an indefinite length (BER) at byte ${at}`);
    if (lenByte < 0x80) length = lenByte;
    else {
      const count = lenByte & 0x7f;
      if (count > 4 || pos + count > limit) throw new NotDer(`a bad length at byte ${at}`);
      if (bytes[pos] === 0) throw new NotDer(`a length with a leading zero octet at byte ${at}`);
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
      if (length < 0x80) throw new NotDer(`a long-form length under 128 at byte ${at}`);
    }
    if (length > limit - pos) throw new NotDer(`a length past the end at byte ${at}`);
    const content = bytes.subarray(pos, pos + length);
    if (cls === TagClass.universal) {
      if (constructed && PRIMITIVE_ONLY.has(tag)) throw new NotDer(`a constructed string or primitive type (BER) at byte ${at}`);
      if (tag === Tag.boolean && (length !== 1 || (content[0] !== 0 && content[0] !== 0xff))) throw new NotDer(`a BOOLEAN that is not 00 or FF at byte ${at}`);
      if (tag === Tag.integer && (length === 0 || (length > 1 && ((content[0] === 0 && content[1]! < 0x80) || (content[0] === 0xff && content[1]! >= 0x80))))) {
        throw new NotDer(`an INTEGER that is not minimally encoded at byte ${at}`);
      }
      if (tag === Tag.null && length !== 0) throw new NotDer(`a NULL with contents at byte ${at}`);
    }
    if (constructed && length > 0) walk(bytes, pos, pos + length, depth + 1);
    pos += length;
  } while (depth > 0 && pos < limit);
  return pos;
}
