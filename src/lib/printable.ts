import { escapeText } from '../text/escape.js';

/**
 * Text from an input file made safe to print on one line: hapki's one escape (src/text/escape.ts)
 * under the name the readers use, so a file cannot write escape sequences or a forged second line
 * to a terminal or a log.
 */
export const printable = escapeText;

/** Bytes as text, one char per byte, without spreading them into an argument list (which overflows the stack on large inputs). */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
