import { readDer, Tag, TagClass, type DerNode } from '../asn1/der_reader.js';
import { latin1 } from '../lib/bytes.js';
import { printable } from '../text/printable.js';
import { formatName } from './format_name.js';

const UPN = '1.3.6.1.4.1.311.20.2.3';

/**
 * GeneralNames (a SAN extension's value) as "DNS:name", "IP:addr", "email:addr", "URI:uri",
 * "DirName:dn", "UPN:name", "RID:oid", "X400Name:<unsupported>": as openssl prints them.
 */
export function formatGeneralNames(value: Uint8Array): string[] {
  return readDer(value, 'GeneralNames').sequence('GeneralNames').map(formatGeneralName);
}

function formatGeneralName(name: DerNode): string {
  if (name.cls !== TagClass.context) return `unknown:${name.tag}`;
  const ascii = (): string => printable(latin1(name.stringBytes()));
  switch (name.tag) {
    case 0: {
      const type = name.child(0, 'otherName type').oid();
      const inner = name.children[1]?.children[0];
      return type === UPN && inner ? `UPN:${inner.text()}` : `othername:${type}`;
    }
    case 1:
      return `email:${ascii()}`;
    // hapki reads neither; openssl prints them so
    case 3:
      return 'X400Name:<unsupported>';
    case 5:
      return 'EdiPartyName:<unsupported>';
    case 2:
      return `DNS:${ascii()}`;
    case 4:
      return `DirName:${formatName(name.child(0, 'directoryName').encoded)}`;
    case 6:
      return `URI:${ascii()}`;
    case 7:
      return `IP:${formatIp(name.content)}`;
    case 8: {
      const oidNode = readDer(Uint8Array.from([Tag.oid, ...encodeLengthShort(name.content.length), ...name.content]), 'registeredID');
      return `RID:${oidNode.oid()}`;
    }
    default:
      return `unknown:${name.tag}`;
  }
}

function encodeLengthShort(length: number): number[] {
  return length < 0x80 ? [length] : [0x81, length & 0xff];
}

/** IPv4 dotted, IPv6 in RFC 5952's compressed form; anything else (a constraint's address/mask) in hex. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) return Buffer.from(bytes).toString('hex');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}
