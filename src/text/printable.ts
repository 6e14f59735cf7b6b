import { escapeText } from './escape.js';

/**
 * Text from an input file made safe to print on one line: hapki's one escape (./escape.ts)
 * under the name the readers use, so a file cannot write escape sequences or a forged second line
 * to a terminal or a log.
 */
export const printable = escapeText;
