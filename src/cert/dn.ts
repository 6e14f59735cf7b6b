import { Tag } from '../asn1/der_reader.js';
import { oid, sequence, setOf, tlv } from '../asn1/der_writer.js';
import { looksLikeDer } from '../asn1/der_reader.js';
import { InvalidArgumentError } from '../errors.js';
import { fromHex, utf8 } from '../lib/bytes.js';

/** Attribute types by the names `--subject` takes: the ones hapki prints, and their usual aliases. */
const TYPES: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  S: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  T: '2.5.4.12',
  TITLE: '2.5.4.12',
  G: '2.5.4.42',
  GN: '2.5.4.42',
  GIVENNAME: '2.5.4.42',
  I: '2.5.4.43',
  INITIALS: '2.5.4.43',
  UID: '0.9.2342.19200300.100.1.1',
  DC: '0.9.2342.19200300.100.1.25',
  E: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
};

const IA5_TYPES = new Set([TYPES['DC'], TYPES['E']]);
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * A distinguished name as written ("CN=Example Root CA,O=Example"), encoded as a DER Name. The
 * string is read as RFC 4514 and keytool read it, most specific first: the encoding starts with
 * the last RDN (O=Example, then CN=...), the order openssl prints. Values are PrintableString
 * when they can be, UTF8String otherwise (IA5String for DC and E), as keytool and openssl write.
 */
export function encodeName(dn: string): Uint8Array {
  let rdns: Uint8Array[];
  try {
    rdns = parseRdns(dn).map((rdn) => setOf(...rdn.map(([type, value]) => sequence(oid(type), value))));
  } catch (cause) {
    throw new InvalidArgumentError(`"${dn}" is not a distinguished name such as "CN=gateway.example.com,O=Example"`, { cause });
  }
  if (rdns.length === 0) throw new InvalidArgumentError(`"${dn}" is an empty distinguished name`);
  return sequence(...rdns.reverse());
}

/** RFC 4514 text as RDNs of [type OID, encoded value], in the order written. */
function parseRdns(text: string): [string, Uint8Array][][] {
  const rdns: [string, Uint8Array][][] = [];
  let rdn: [string, Uint8Array][] = [];
  let i = 0;
  const skipSpaces = (): void => {
    while (text[i] === ' ') i++;
  };
  skipSpaces();
  if (i === text.length) return rdns;
  for (;;) {
    skipSpaces();
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error('an attribute without "="');
    const name = text.slice(i, eq).trim();
    const type = /^\d+(\.\d+)+$/.test(name) ? name : TYPES[name.toUpperCase()];
    if (!type) throw new Error(`unknown attribute type "${name}"`);
    i = eq + 1;
    skipSpaces();
    let value: Uint8Array;
    if (text[i] === '#') {
      const m = /^#((?:[0-9a-fA-F]{2})+)/.exec(text.slice(i));
      if (!m || !looksLikeDer(fromHex(m[1]!))) throw new Error('a #value that is not hex DER');
      value = fromHex(m[1]!);
      i += m[0].length;
      skipSpaces();
    } else {
      const read = readValue(text, i);
      i = read.end;
      value = encodeValue(type, read.value);
    }
    rdn.push([type, value]);
    if (i === text.length) break;
    const separator = text[i++];
    if (separator === '+') continue;
    if (separator !== ',' && separator !== ';') throw new Error(`unexpected "${separator}"`);
    rdns.push(rdn);
    rdn = [];
  }
  rdns.push(rdn);
  return rdns;
}

/** A string value up to the next unescaped separator: quotes, \\-escapes and \\HH hex pairs undone. */
function readValue(text: string, start: number): { value: string; end: number } {
  const bytes: number[] = [];
  let i = start;
  let trailingSpaces = 0;
  const push = (s: string): void => {
    for (const b of utf8(s)) bytes.push(b);
  };
  if (text[i] === '"') {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      if (i >= text.length) throw new Error('an unfinished quoted value');
      push(text[i++]!);
    }
    if (text[i] !== '"') throw new Error('an unfinished quoted value');
    i++;
    while (text[i] === ' ') i++;
    return { value: decode(bytes), end: i };
  }
  while (i < text.length && !',+;'.includes(text[i]!)) {
    const c = text[i]!;
    if (c === '\\') {
      const hex = /^[0-9a-fA-F]{2}/.exec(text.slice(i + 1));
      if (hex) {
        bytes.push(parseInt(hex[0], 16));
        i += 3;
      } else if (i + 1 < text.length) {
        push(text[i + 1]!);
        i += 2;
      } else throw new Error('a value ending in "\\"');
      trailingSpaces = 0;
      continue;
    }
    if (c === '"') throw new Error('a quote inside a value');
    trailingSpaces = c === ' ' ? trailingSpaces + 1 : 0;
    push(c);
    i++;
  }
  return { value: decode(bytes.slice(0, bytes.length - trailingSpaces)), end: i };
}

function decode(bytes: number[]): string {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
}

function encodeValue(type: string, value: string): Uint8Array {
  if (IA5_TYPES.has(type)) {
    if (!/^[\x00-\x7f]*$/.test(value)) throw new Error('a non-ASCII value for an IA5String attribute');
    return tlv(Tag.ia5String, utf8(value));
  }
  return PRINTABLE.test(value) ? tlv(Tag.printableString, utf8(value)) : tlv(Tag.utf8String, utf8(value));
}
