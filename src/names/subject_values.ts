import { readDer, Tag, TagClass } from '../asn1/der_reader.js';
import { encodeName } from '../cert/dn.js';
import { attributeLabel } from '../cert/format_name.js';
import { InvalidArgumentError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { hasUnsafeText } from '../text/escape.js';
import { emailProblem } from './general_name.js';

const COUNTRY = '2.5.4.6';
const EMAIL = '1.2.840.113549.1.9.1';

/**
 * Upper bounds of RFC 5280 appendix A (ub-common-name and friends, in characters); any other
 * attribute gets DEFAULT_UPPER_BOUND. A longer value is refused rather than cut.
 */
const UPPER_BOUNDS: Readonly<Record<string, number>> = {
  '2.5.4.3': 64,
  '2.5.4.5': 64,
  '2.5.4.7': 128,
  '2.5.4.8': 128,
  '2.5.4.10': 64,
  '2.5.4.11': 64,
  [EMAIL]: 255,
};
const DEFAULT_UPPER_BOUND = 256;

/** Attributes a subject may hold once only (CA/B Forum BR 7.1.4.2: one instance of each but DC, OU and street). */
const SINGLE: ReadonlySet<string> = new Set(['2.5.4.3', '2.5.4.5', '2.5.4.6', '2.5.4.7', '2.5.4.8', '2.5.4.10', EMAIL]);

/** Attributes whose syntax is one string type, not a DirectoryString choice (RFC 4519, X.520). */
const FIXED_SYNTAX: Readonly<Record<string, number>> = {
  '0.9.2342.19200300.100.1.25': Tag.ia5String,
  '2.5.4.5': Tag.printableString,
  '2.5.4.46': Tag.printableString,
};

// ignoreBOM: a leading U+FEFF is in the certificate, so the checks must see it (the default decoder drops it)
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const STRING_TAGS: ReadonlySet<number> = new Set([Tag.utf8String, Tag.printableString, Tag.ia5String, Tag.bmpString, Tag.t61String]);

/**
 * Why a subject Name (DER) may not go into a certificate, or undefined: each RDN holds one
 * attribute (no "CN=a+CN=b", whose second CN a name check would never see), CN, C, O, L, ST,
 * serialNumber and emailAddress appear at most once, and every attribute value is a character
 * string that decodes, is not empty, holds no control character (C0, DEL, C1, NUL) and no
 * invisible format character that reorders or hides text (bidi controls), has no leading or
 * trailing space, and keeps within its RFC 5280 upper bound; C is two capital letters (ISO
 * 3166), an emailAddress a valid address. The reason names the attribute, never its bytes.
 */
export function subjectProblem(name: Uint8Array): string | undefined {
  let rdns;
  try {
    rdns = readDer(name, 'Name').sequence('Name');
  } catch {
    return 'is not a valid Name';
  }
  if (rdns.length > LIMITS.rdnsPerSubject) return `has ${rdns.length} attributes, more than the ${LIMITS.rdnsPerSubject} a subject may have`;
  const seen = new Set<string>();
  for (const rdn of rdns) {
    if (!rdn.is(Tag.set) || rdn.children.length === 0) return 'has a malformed relative distinguished name';
    if (rdn.children.length > 1) return 'has a relative distinguished name with more than one attribute (multi-valued, "A=x+B=y")';
    for (const atv of rdn.children) {
      const [type, value] = atv.children;
      if (!atv.is(Tag.sequence) || !type?.is(Tag.oid) || !value || atv.children.length !== 2) return 'has a malformed attribute';
      const oid = type.oid();
      const label = attributeLabel(oid);
      if (SINGLE.has(oid)) {
        if (seen.has(oid)) return `has more than one ${label} attribute`;
        seen.add(oid);
      }
      if (value.cls !== TagClass.universal || !STRING_TAGS.has(value.tag)) return `has a ${label} value that is not a character string`;
      let text: string;
      try {
        text = value.tag === Tag.utf8String ? STRICT_UTF8.decode(value.stringBytes()) : value.text();
      } catch {
        return `has a ${label} value that does not decode`;
      }
      if (text.length === 0) return `has an empty ${label} value`;
      // UCS-2 has no surrogates, and T.61's upper half is no Latin-1: readers would disagree on (or refuse) the text
      if (value.tag === Tag.bmpString && /[\uD800-\uDFFF]/.test(text)) return `has a ${label} BMPString with surrogate code units, which UCS-2 does not have`;
      if (value.tag === Tag.t61String && /[^\x00-\x7f]/.test(text)) return `has a ${label} TeletexString with bytes over 0x7F, which readers decode differently (use UTF8String)`;
      const syntax = FIXED_SYNTAX[oid];
      if (syntax !== undefined && value.tag !== syntax) return `has a ${label} value that is not ${syntax === Tag.ia5String ? 'an IA5String' : 'a PrintableString'}, the only type its attribute allows`;
      if (hasUnsafeText(text)) return `has a ${label} value with control or invisible formatting characters (NUL, newline, escape, bidi)`;
      if (value.tag === Tag.printableString && !/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) return `has a ${label} PrintableString with characters PrintableString does not allow`;
      if (/^\s|\s$/u.test(text)) return `has a ${label} value with leading or trailing white space`;
      const bound = UPPER_BOUNDS[oid] ?? DEFAULT_UPPER_BOUND;
      if ([...text].length > bound) return `has a ${label} value longer than the ${bound} characters RFC 5280 allows`;
      if (oid === COUNTRY && (value.tag !== Tag.printableString || !/^[A-Z]{2}$/.test(text))) return 'has a C value that is not a two-letter ISO 3166 country code (PrintableString)';
      if (oid === EMAIL && (value.tag !== Tag.ia5String || emailProblem(text) !== undefined)) return 'has an E (emailAddress) value that is not a valid e-mail address (IA5String)';
    }
  }
  return undefined;
}

/**
 * A subject the operator typed (`--subject`), encoded, and held to the rules a CA applies to a
 * request's subject (subjectProblem): a request hapki makes is one a CA signs. ERR_INVALID_ARGUMENT
 * naming the attribute (a 100,000-character CN, a newline, "CN=a+CN=b"), never echoing the value.
 */
export function encodeSubject(dn: string): Uint8Array {
  const der = encodeName(dn);
  const problem = subjectProblem(der);
  if (problem) throw new InvalidArgumentError(`the subject ${problem}`);
  return der;
}

/** Every value of one attribute type in a subject Name (DER), in order; none when it is unreadable. */
export function subjectValues(name: Uint8Array, oid: string): string[] {
  const out: string[] = [];
  try {
    for (const rdn of readDer(name, 'Name').sequence('Name')) {
      for (const atv of rdn.children) if (atv.children[0]?.oid() === oid && atv.children[1]) out.push(atv.children[1].text());
    }
  } catch {
    return [];
  }
  return out;
}
