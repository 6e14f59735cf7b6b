import { ipVersion } from '../names/ip_version.js';
import { readDer, TagClass } from '../asn1/der_reader.js';
import { implicitPrimitive, sequence } from '../asn1/der_writer.js';
import { formatGeneralNames, formatIp } from '../cert/general_names.js';
import type { SanType, SubjectAltName } from './san.js';

/** The GeneralName tags hapki handles (RFC 5280 4.2.1.6), and back. */
const TAGS: Readonly<Record<SanType, number>> = { email: 1, dns: 2, uri: 6, ip: 7 };
const TYPES: ReadonlyMap<number, SanType> = new Map(Object.entries(TAGS).map(([type, tag]) => [tag, type as SanType]));

/**
 * The names of a subjectAltName extension value (GeneralNames, DER) that hapki handles (DNS, IP,
 * email, URI), in order. Other kinds (directory names, UPNs) are reported in `skipped`, as openssl
 * prints them, rather than silently lost.
 */
export function sansOfExtension(value: Uint8Array | undefined): { sans: SubjectAltName[]; skipped: string[] } {
  if (!value) return { sans: [], skipped: [] };
  const sans: SubjectAltName[] = [];
  const skipped: string[] = [];
  let printed: string[] | undefined;
  readDer(value, 'GeneralNames').children.forEach((name, i) => {
    const type = name.cls === TagClass.context ? TYPES.get(name.tag) : undefined;
    if (type && (type !== 'ip' || name.content.length === 4 || name.content.length === 16)) {
      sans.push({ type, value: type === 'ip' ? formatIp(name.content) : String.fromCharCode(...name.stringBytes()) });
    } else {
      printed ??= formatGeneralNames(value);
      skipped.push(printed[i]!);
    }
  });
  return { sans, skipped };
}

/** GeneralNames, DER: the value of a subjectAltName extension. */
export function encodeGeneralNames(sans: readonly SubjectAltName[]): Uint8Array {
  return sequence(...sans.map((san) => implicitPrimitive(TAGS[san.type], san.type === 'ip' ? ipBytes(san.value) : asciiBytes(san.value))));
}

function asciiBytes(text: string): Uint8Array {
  // IA5String: names are checked to be ASCII when parsed; anything else would be a caller's bug
  if (!/^[\x00-\x7f]*$/.test(text)) throw new TypeError(`"${text}" is not ASCII and cannot go into an IA5String`);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** An IPv4 or IPv6 address in text as its 4 or 16 bytes. */
export function ipBytes(address: string): Uint8Array {
  const version = ipVersion(address);
  if (version === 4) return Uint8Array.from(address.split('.').map(Number));
  if (version !== 6) throw new TypeError(`"${address}" is not an IP address`);
  let text = address.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    text = `${text.slice(0, v4.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

export const SAN_OID = '2.5.29.17';
export const BASIC_CONSTRAINTS_OID = '2.5.29.19';
