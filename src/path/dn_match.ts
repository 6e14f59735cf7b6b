import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { toHex as bytesToHex } from '../lib/bytes.js';
import { attributeLabel } from '../cert/format_name.js';
import { escapeText } from '../text/escape.js';

/**
 * Distinguished-name comparison as RFC 5280 section 7.1 asks: two names match when their RDNs
 * match in order, an RDN matching when its attributes match as a set, and attribute values of
 * the directory string types compared after RFC 4518 string preparation (Unicode NFKC, case
 * folding, insignificant space removed), whatever string type encodes them (PrintableString and
 * UTF8String alike). Other values compare by their encoding. Each name is reduced once to a
 * canonical key, so matching is a string comparison during path building.
 */

/** Attribute types whose values are compared case-insensitively: the directory strings, plus emailAddress and DC (IA5). */
const STRING_TAGS = new Set<number>([Tag.utf8String, Tag.printableString, Tag.bmpString, Tag.t61String, 28 /* UniversalString */, Tag.ia5String]);

const keys = new WeakMap<Uint8Array, string[]>();

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The canonical key of each RDN of an encoded Name; an unreadable Name gets keys no other name has. */
export function rdnKeys(name: Uint8Array): string[] {
  let out = keys.get(name);
  if (out === undefined) {
    try {
      out = readDer(name, 'Name').sequence('Name').map(rdnKey);
    } catch {
      out = [`unreadable:${bytesToHex(name)}`];
    }
    keys.set(name, out);
  }
  return out;
}

/**
 * How many RDNs an encoded Name has, read from its framing alone (-1 when it has none to read):
 * names of different lengths never match, and telling so costs no string preparation.
 */
export function rdnCount(name: Uint8Array): number {
  try {
    return readDer(name, 'Name').children.length;
  } catch {
    return -1;
  }
}

/** One string standing for the whole Name. */
export function nameKey(name: Uint8Array): string {
  return rdnKeys(name).join('\u0001');
}

export function namesMatch(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || nameKey(a) === nameKey(b);
}

/** The Name `name` lies within the subtree `base` (directoryName constraints): base's RDNs are its first ones. */
export function nameWithin(name: Uint8Array, base: Uint8Array): boolean {
  const have = rdnKeys(name);
  const want = rdnKeys(base);
  return want.length <= have.length && want.every((k, i) => k === have[i]);
}

function rdnKey(rdn: DerNode): string {
  if (!rdn.is(Tag.set)) throw new Error('RDN must be a SET');
  const attributes = rdn.children.map((atv) => {
    const [type, value] = atv.sequence('AttributeTypeAndValue');
    if (!type || !value) throw new Error('incomplete AttributeTypeAndValue');
    return `${type.oid('attribute type')}=${valueKey(value)}`;
  });
  if (attributes.length === 0) throw new Error('empty RDN');
  return attributes.sort().join('\u0002');
}

function valueKey(value: DerNode): string {
  if (value.cls === TagClass.universal && STRING_TAGS.has(value.tag)) {
    const text = stringOf(value);
    if (text !== undefined) return `s:${prepare(text)}`;
  }
  return `b:${bytesToHex(value.encoded)}`;
}

function stringOf(value: DerNode): string | undefined {
  try {
    if (value.tag === 28) {
      const bytes = value.stringBytes();
      if (bytes.length % 4 !== 0) return undefined;
      let s = '';
      for (let i = 0; i < bytes.length; i += 4) s += String.fromCodePoint(((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0);
      return s;
    }
    if (value.tag === Tag.utf8String) return STRICT_UTF8.decode(value.stringBytes());
    return value.text('attribute value');
  } catch {
    return undefined;
  }
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * RFC 4518 for matching: map (drop controls and zero-width characters, every space-like character
 * to SPACE), normalise (NFKC), case fold, then remove insignificant space: leading and trailing
 * spaces go and inner runs become one.
 */
export function prepare(text: string): string {
  // printable ASCII has nothing to map and is its own NFKC form: only case and spaces remain
  if (PRINTABLE_ASCII.test(text)) return text.toLowerCase().replace(/ +/g, ' ').trim();
  const mapped = text
    .replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u00ad\u180b-\u180d\u200b\u200c\u200d\u2060\ufe00-\ufe0f\ufeff]/g, '')
    .replace(/[\t\n\v\f\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g, ' ');
  return mapped.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC').replace(/ +/g, ' ').trim();
}


/** Characters of one attribute value a name shows in a message: a value built to fill one (a whole certificate as hex) is cut. */
const MAX_VALUE_CHARS = 64;

function clipValue(text: string): string {
  return text.length <= MAX_VALUE_CHARS ? text : `${text.slice(0, MAX_VALUE_CHARS).replace(/\\(?:u[0-9a-fA-F]{0,3}|x[0-9a-fA-F]?)?$/, '')}...(${text.length} characters)`;
}

/** A Name as people read it ("CN=a, O=b", most specific first, as formatName), for messages; control characters are shown escaped. */
export function nameText(name: Uint8Array, maxRdns = Number.POSITIVE_INFINITY): string {
  try {
    // most specific first, as formatName, keytool and --subject have it (RFC 4514), not in encoded order
    const rdns = readDer(name, 'Name').sequence('Name').slice().reverse();
    const shown = rdns.length > maxRdns ? rdns.slice(0, maxRdns) : rdns;
    const more = shown.length < rdns.length ? `, ... (${rdns.length} RDNs in all)` : '';
    return shown
      .map((rdn) =>
        rdn.children
          .map((atv) => {
            const [type, value] = atv.sequence('AttributeTypeAndValue');
            const oid = type!.oid('attribute type');
            const text = value ? stringOf(value) : undefined;
            return `${attributeLabel(oid)}=${clipValue(text === undefined ? '#' + bytesToHex(value!.encoded) : escapeText(JSON.stringify(text).slice(1, -1)))}`;
          })
          .join('+'),
      )
      .join(', ') + more;
  } catch {
    return '(unreadable name)';
  }
}
