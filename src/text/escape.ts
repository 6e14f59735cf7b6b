/**
 * Characters that must never reach a terminal as they are: C0 and C1 controls and DEL (line
 * breaks and escape sequences forge or hide lines), and the invisible format characters that
 * reorder or hide text (bidi embeddings, overrides and isolates, zero-width characters, line and
 * paragraph separators, the byte order mark, interlinear annotation), the blank Hangul fillers,
 * the tag characters (invisible letters, U+E0000..E007F) and the noncharacters (U+FDD0..FDEF,
 * U+FFFE, U+FFFF), which no text interchanges.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\u3164\ufdd0-\ufdef\ufeff\uffa0\ufff9-\ufffb\ufffe\uffff\u{e0000}-\u{e007f}]/gu;

/** \uXXXX for each UTF-16 unit: a JSON escape of the same character, astral ones as their surrogate pair. */
const unitEscapes = (c: string): string => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\x1b' };

/** True when the text holds a character escapeText would rewrite. */
export function hasUnsafeText(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text);
}

/**
 * The one escape for text that comes from certificates, keystores, file names or any other input
 * and is printed for people: every unsafe character becomes a visible escape (`\n`, `\x1b`,
 * `\u202e`). JSON and Prometheus output have escapes of their own.
 */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : unitEscapes(c)));
}

/**
 * A template tag that escapes every interpolated value and nothing of the template itself, so a
 * renderer's own line breaks stay and a value can add none: safe`subject: ${c.subject}\n`.
 */
export function safe(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += escapeText(String(value)) + (strings[i + 1] ?? '');
  });
  return out;
}

/**
 * The last guard on everything hapki prints: every unsafe character except the line breaks and
 * tabs the renderers write themselves becomes an escape. ESC and other C0 controls, which JSON
 * output never holds raw, show as \x1b; the rest as \uXXXX, which is also a JSON escape of the
 * same character, so JSON output stays valid and means the same.
 */
export function guardOutput(text: string): string {
  return text.replace(UNSAFE, (c) => {
    if (c === '\n' || c === '\t') return c;
    const code = c.charCodeAt(0);
    if (code < 0x20) return NAMED[c] ?? `\\x${code.toString(16).padStart(2, '0')}`;
    return unitEscapes(c);
  });
}

/** The longest error message hapki prints: inputs quoted in it are cut in the middle past this. */
export const MAX_MESSAGE_CHARS = 800;

/**
 * A message cut to `max` characters, keeping its head and its tail (where the file name and the
 * reason usually are), so that a megabyte argument echoed in an error stays one readable line.
 * Never cuts a surrogate pair or an escape in half: run it after escapeText.
 */
export function clipText(text: string, max = MAX_MESSAGE_CHARS): string {
  if (text.length <= max) return text;
  const tailLength = Math.floor(max / 4);
  let head = text.slice(0, max - tailLength);
  let tail = text.slice(text.length - tailLength);
  // an escape (\x1b, \u202e) cut at the end of the head, or a surrogate pair cut at either edge, is dropped whole
  head = head.replace(/\\(?:x[0-9a-f]{0,1}|u[0-9a-f]{0,3})?$/, '').replace(/[\ud800-\udbff]$/, '');
  tail = tail.replace(/^[\udc00-\udfff]/, '');
  return `${head}...[${text.length - head.length - tail.length} characters cut]...${tail}`;
}
