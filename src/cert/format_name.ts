import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { OID } from '../asn1/oids.js';
import { toHex } from '../lib/bytes.js';

const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
};

/** An attribute type as names show it: its short name (CN, O, SERIALNUMBER, ...), else its OID. */
export function attributeLabel(oid: string): string {
  return SHORT_NAMES[oid] ?? oid;
}

// eslint-disable-next-line no-control-regex
const UNSAFE_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/gu;

const STRING_TAGS: ReadonlySet<number> = new Set([Tag.utf8String, Tag.printableString, Tag.t61String, Tag.ia5String, Tag.bmpString]);

/**
 * A DER Name as RFC 4514 text, most specific first ("CN=msas1.example.com, OU=Gateway, O=Example,
 * C=US"): the order keytool prints and `--subject` reads, so what hapki shows can be typed back.
 */
export function formatName(name: Uint8Array): string {
  const rdns = readDer(name, 'Name').sequence('Name').map((rdn) => rdn.children.map(formatAttribute).join('+'));
  return rdns.reverse().join(', ');
}

function formatAttribute(atv: DerNode): string {
  const type = atv.child(0, 'attribute type').oid('attribute type');
  const value = atv.child(1, 'attribute value');
  const label = SHORT_NAMES[type] ?? type;
  if (value.cls === TagClass.universal && STRING_TAGS.has(value.tag)) return `${label}=${escapeValue(value.text())}`;
  return `${label}=#${toHex(value.encoded)}`;
}

function escapeValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    // RFC 4514 2.4: any character may be written as \XX pairs of its UTF-8; controls and invisible
    // formatting characters always are, so a name can neither break a line nor hide text
    .replace(UNSAFE_IN_NAME, (c) => [...new TextEncoder().encode(c)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join(''))
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

/** The last (most specific) common name of a DER Name, if any. */
export function commonNameOf(name: Uint8Array): string | undefined {
  let found: string | undefined;
  for (const rdn of readDer(name, 'Name').sequence('Name')) {
    for (const atv of rdn.children) {
      if (atv.child(0, 'attribute type').oid() === OID.commonName) found = atv.child(1, 'attribute value').text('common name');
    }
  }
  return found;
}
