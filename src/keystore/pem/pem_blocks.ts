import { KeystoreFormatError } from '../../errors.js';

/** One `-----BEGIN X-----` ... `-----END X-----` block, with what openssl writes around it. */
export interface PemBlock {
  label: string;
  /** RFC 1421 headers (Proc-Type, DEK-Info) of traditional encrypted keys. */
  headers: Record<string, string>;
  der: Uint8Array;
  /** The whole block as text, for handing to parsers that want PEM. */
  text: string;
  /** `friendlyName:` from the "Bag Attributes" openssl pkcs12 writes before a block. */
  friendlyName?: string;
  /** Byte offset of the BEGIN line. */
  offset: number;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

export function isPemText(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 1 << 16))).toString('latin1');
  return head.includes('-----BEGIN ') && !head.includes('\0');
}

export function parsePemBlocks(bytes: Uint8Array): PemBlock[] {
  const text = Buffer.from(bytes).toString('utf8');
  const blocks: PemBlock[] = [];
  let previousEnd = 0;
  for (const match of text.matchAll(BLOCK)) {
    const [whole, label, body, endLabel] = match;
    const offset = match.index;
    if (label !== endLabel) throw new KeystoreFormatError(`PEM block BEGIN ${label} ends with END ${endLabel}`, offset);
    const { headers, base64 } = splitHeaders(body!);
    if (!/^[A-Za-z0-9+/=\s]*$/.test(base64)) throw new KeystoreFormatError(`PEM block ${label} has characters outside base64`, offset);
    const der = new Uint8Array(Buffer.from(base64.replace(/\s+/g, ''), 'base64'));
    if (der.length === 0) throw new KeystoreFormatError(`PEM block ${label} is empty`, offset);
    const block: PemBlock = { label: label!, headers, der, text: whole, offset };
    const friendlyName = bagFriendlyName(text.slice(previousEnd, offset));
    if (friendlyName !== undefined) block.friendlyName = friendlyName;
    blocks.push(block);
    previousEnd = offset + whole.length;
  }
  const rest = text.indexOf('-----BEGIN ', previousEnd);
  if (rest >= 0) throw new KeystoreFormatError('PEM block without its END line (truncated file?)', rest);
  return blocks;
}

function splitHeaders(body: string): { headers: Record<string, string>; base64: string } {
  const headers: Record<string, string> = {};
  if (!/^[\w-]+:/.test(body)) return { headers, base64: body };
  const lines = body.split(/\r?\n/);
  let i = 0;
  for (; i < lines.length && lines[i]!.trim() !== ''; i++) {
    const m = /^([\w-]+):\s*(.*)$/.exec(lines[i]!);
    if (m) headers[m[1]!] = m[2]!;
  }
  return { headers, base64: lines.slice(i).join('\n') };
}

function bagFriendlyName(preamble: string): string | undefined {
  const m = /friendlyName:\s*(.*)\s*$/m.exec(preamble.split('-----END').pop() ?? '');
  return m ? m[1]!.trim() : undefined;
}

export function pemArmor(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
