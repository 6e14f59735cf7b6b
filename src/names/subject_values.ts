import { readDer, Tag, TagClass } from '../asn1/der_reader.js';
import { hasUnsafeText } from '../text/escape.js';

const LABELS: Readonly<Record<string, string>> = { '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU', '1.2.840.113549.1.9.1': 'E' };
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const STRING_TAGS: ReadonlySet<number> = new Set([Tag.utf8String, Tag.printableString, Tag.ia5String, Tag.bmpString, Tag.t61String]);

/**
 * Why a subject Name (DER) may not go into a certificate, or undefined: every attribute value is a
 * character string that decodes, is not empty, and holds no control character (C0, DEL, C1,
 * NUL) and no invisible format character that reorders or hides text (bidi controls). The reason
 * names the attribute, never its bytes.
 */
export function subjectProblem(name: Uint8Array): string | undefined {
  let rdns;
  try {
    rdns = readDer(name, 'Name').sequence('Name');
  } catch {
    return 'is not a valid Name';
  }
  for (const rdn of rdns) {
    if (!rdn.is(Tag.set) || rdn.children.length === 0) return 'has a malformed relative distinguished name';
    for (const atv of rdn.children) {
      const [type, value] = atv.children;
      if (!atv.is(Tag.sequence) || !type?.is(Tag.oid) || !value || atv.children.length !== 2) return 'has a malformed attribute';
      const label = LABELS[type.oid()] ?? type.oid();
      if (value.cls !== TagClass.universal || !STRING_TAGS.has(value.tag)) return `has a ${label} value that is not a character string`;
      let text: string;
      try {
        text = value.tag === Tag.utf8String ? STRICT_UTF8.decode(value.stringBytes()) : value.text();
      } catch {
        return `has a ${label} value that does not decode`;
      }
      if (text.length === 0) return `has an empty ${label} value`;
      if (hasUnsafeText(text)) return `has a ${label} value with control or invisible formatting characters (NUL, newline, escape, bidi)`;
      if (value.tag === Tag.printableString && !/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) return `has a ${label} PrintableString with characters PrintableString does not allow`;
    }
  }
  return undefined;
}
