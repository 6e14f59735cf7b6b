/**
 * Java's "modified UTF-8" (DataOutput.writeUTF and the serialization stream's strings): UTF-8
 * over UTF-16 code units, so a supplementary character is two 3-byte surrogates and U+0000 is
 * the two bytes C0 80. Aliases and class names are written this way.
 */
export function encodeModifiedUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) {
      out.push(c);
    } else if (c <= 0x7ff) {
      out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    } else {
      out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    }
  }
  return Uint8Array.from(out);
}

/** Decodes, or returns undefined when the bytes are not valid modified UTF-8 (the caller knows the offset). */
export function decodeModifiedUtf8(bytes: Uint8Array): string | undefined {
  const units: number[] = [];
  let text = '';
  for (let i = 0; i < bytes.length; ) {
    const a = bytes[i]!;
    if (a < 0x80) {
      units.push(a);
      i += 1;
    } else if ((a & 0xe0) === 0xc0) {
      const b = bytes[i + 1];
      if (b === undefined || (b & 0xc0) !== 0x80) return undefined;
      units.push(((a & 0x1f) << 6) | (b & 0x3f));
      i += 2;
    } else if ((a & 0xf0) === 0xe0) {
      const b = bytes[i + 1];
      const c = bytes[i + 2];
      if (b === undefined || c === undefined || (b & 0xc0) !== 0x80 || (c & 0xc0) !== 0x80) return undefined;
      units.push(((a & 0x0f) << 12) | ((b & 0x3f) << 6) | (c & 0x3f));
      i += 3;
    } else {
      return undefined;
    }
    // Flush in chunks: String.fromCharCode with a huge spread would overflow the call stack.
    if (units.length >= 4096) text += String.fromCharCode(...units.splice(0));
  }
  return text + String.fromCharCode(...units);
}
