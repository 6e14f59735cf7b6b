/**
 * Text from an input file made safe to print on one line: control characters (C0, DEL, C1),
 * line and paragraph separators and bidirectional overrides become \xNN or \u{NNNN}, so a file
 * cannot write escape sequences or a forged second line to a terminal or a log.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/gu;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Bytes as text, one char per byte, without spreading them into an argument list (which overflows the stack on large inputs). */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
