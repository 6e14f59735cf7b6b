import { readDer, Tag, TagClass } from '../../asn1/der_reader.js';
import { KeystoreFormatError, PolicyError } from '../../errors.js';
import { purposeNames } from '../../cert/purpose_names.js';

/** The labels a PEM certificate goes under: RFC 7468's, the old X509 one, and openssl's TRUSTED (`x509 -trustout`). */
export const CERTIFICATE_LABELS: ReadonlySet<string> = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);

/**
 * A certificate block's certificate and, for openssl's TRUSTED CERTIFICATE (`x509 -trustout`),
 * the trust settings it appends (X509_CERT_AUX), as written: trustedUses reads them, path
 * validation honours them and a PEM bundle writes them back (keytool drops them on import). Settings that
 * reject uses are ERR_POLICY; settings that do not parse are ERR_KEYSTORE_FORMAT (openssl does
 * not load such a block either): neither is read as a wholly trusted certificate.
 */
export function certificateAndTrustOfBlock(block: Pick<PemBlock, 'label' | 'der'>): { der: Uint8Array; trust?: Uint8Array } {
  if (block.label !== 'TRUSTED CERTIFICATE') return { der: block.der };
  const certificate = readDer(block.der, 'certificate', { allowTrailing: true });
  const aux = block.der.subarray(certificate.encodedLength);
  if (aux.length === 0) return { der: certificate.encoded };
  const settings = readTrustSettings(aux);
  if (settings.rejected.length > 0) {
    throw new PolicyError('a TRUSTED CERTIFICATE whose trust settings reject uses (openssl x509 -addreject): hapki keeps no per-use distrust, and does not take a certificate its file distrusts');
  }
  return { der: certificate.encoded, trust: aux };
}

/**
 * The uses (extended key usage OIDs) openssl's trust settings trust a certificate for, as
 * `openssl x509 -addtrust` writes them; undefined when they hold no list (every use, as a
 * plain certificate). anyExtendedKeyUsage in the list stands for every use.
 */
export function trustedUses(trust: Uint8Array | undefined): readonly string[] | undefined {
  return trust === undefined ? undefined : readTrustSettings(trust).trusted;
}

const ANY_USE = '2.5.29.37.0';
const USE_OF_PURPOSE = { server: '1.3.6.1.5.5.7.3.1', client: '1.3.6.1.5.5.7.3.2' } as const;

/**
 * Whether trust settings let a certificate anchor a path for a purpose, as openssl verify judges
 * them: no list, or a list naming the purpose's use or anyExtendedKeyUsage. Without a purpose
 * (openssl verify without -purpose) only anyExtendedKeyUsage in a list will do.
 */
export function trustedForPurpose(trust: Uint8Array | undefined, purpose: 'server' | 'client' | undefined): boolean {
  const uses = trustedUses(trust);
  return uses === undefined || uses.includes(ANY_USE) || (purpose !== undefined && uses.includes(USE_OF_PURPOSE[purpose]));
}

/** The uses as people read them: "serverAuth, emailProtection" (nothing: "no use"). */
export function usesText(uses: readonly string[]): string {
  return uses.length === 0 ? 'no use' : purposeNames(uses);
}

/** The uses trust settings limit a certificate to, when they do (a list without anyExtendedKeyUsage); else undefined. */
export function limitedUses(trust: Uint8Array | undefined): readonly string[] | undefined {
  return trustedForPurpose(trust, undefined) ? undefined : trustedUses(trust);
}

/** X509_CERT_AUX: SEQUENCE { trust SEQUENCE OF OID OPTIONAL, reject [0] SEQUENCE OF OID OPTIONAL, alias, keyid, other }. */
function readTrustSettings(aux: Uint8Array): { trusted?: string[]; rejected: string[] } {
  try {
    const settings = readDer(aux, 'trust settings').expect(Tag.sequence, 'trust settings');
    const out: { trusted?: string[]; rejected: string[] } = { rejected: [] };
    for (const field of settings.children) {
      if (field.is(Tag.sequence)) out.trusted = field.children.map((c) => c.oid('trusted use'));
      else if (field.is(0, TagClass.context)) out.rejected = field.children.map((c) => c.oid('rejected use'));
    }
    return out;
  } catch (cause) {
    throw new KeystoreFormatError('a TRUSTED CERTIFICATE whose trust settings after the certificate are malformed', undefined, { cause });
  }
}

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

const BEGIN = '-----BEGIN ';
const DASHES = '-----';
/**
 * RFC 7468's label: printable ASCII but the hyphen, in words joined by one space or hyphen
 * ("X9.42 DH PARAMETERS", as openssl dhparam writes it). Real labels are short; a longer one is
 * not a label.
 */
const LABEL = /^[\x21-\x2c\x2e-\x7e]+(?:[- ][\x21-\x2c\x2e-\x7e]+)*$/;
const MAX_LABEL = 64;

/** A label as messages may show it: the usual ones by name, anything else not quoted. */
export function pemBlockName(label: string): string {
  return /^[A-Z0-9 .]+$/.test(label) ? `PEM block ${label}` : 'a PEM block with a nonstandard label';
}

export function isPemText(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 1 << 16))).toString('latin1');
  return head.includes(BEGIN) && !head.includes('\0');
}

/**
 * Finds the blocks with plain indexOf scans, each BEGIN matched to the END after it: linear in
 * the input, where a lazy regular expression goes quadratic on many BEGINs without an END.
 */
export function parsePemBlocks(bytes: Uint8Array): PemBlock[] {
  return [...pemBlocks(bytes)];
}

/**
 * parsePemBlocks one block at a time. The scan runs over the bytes, and each block's text is
 * decoded on its own: a large bundle is never held a second time as one string (a 25 MB
 * bundle was 25 MB of JavaScript heap), nor are all its blocks kept at once. Offsets are byte
 * offsets.
 */
export function* pemBlocks(bytes: Uint8Array): Generator<PemBlock> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let previousEnd = 0;
  for (let offset = buf.indexOf(BEGIN, 0, 'latin1'); offset >= 0; offset = buf.indexOf(BEGIN, previousEnd, 'latin1')) {
    const labelEnd = buf.indexOf(DASHES, offset + BEGIN.length, 'latin1');
    const label = labelEnd < 0 ? '' : buf.toString('utf8', offset + BEGIN.length, labelEnd);
    if (label.length > MAX_LABEL || !LABEL.test(label)) throw new KeystoreFormatError('malformed PEM BEGIN line', offset);
    const endLine = `-----END ${label}-----`;
    const end = buf.indexOf(endLine, labelEnd, 'latin1');
    if (end < 0) throw new KeystoreFormatError(`${pemBlockName(label)} without its END line (truncated file?)`, offset);
    const nested = buf.indexOf(BEGIN, labelEnd + DASHES.length, 'latin1');
    if (nested >= 0 && nested < end) throw new KeystoreFormatError(`${pemBlockName(label)} without its END line (truncated file?)`, offset);
    const body = buf.toString('utf8', labelEnd + DASHES.length, end);
    const { headers, base64 } = splitHeaders(body.replace(/^\r?\n/, ''));
    if (!/^[A-Za-z0-9+/=\s]*$/.test(base64)) throw new KeystoreFormatError(`${pemBlockName(label)} has characters outside base64`, offset);
    // Node's decoder skips the line breaks (the body is checked to be base64 and white space)
    const der = new Uint8Array(Buffer.from(base64, 'base64'));
    if (der.length === 0) throw new KeystoreFormatError(`${pemBlockName(label)} is empty`, offset);
    const wholeEnd = end + endLine.length;
    // the whole block as text only for the few readers that ask (traditional keys)
    const block: PemBlock = {
      label,
      headers,
      der,
      get text(): string {
        return buf.toString('utf8', offset, wholeEnd);
      },
      offset,
    };
    const friendlyName = bagFriendlyName(preambleText(buf.subarray(previousEnd, offset)));
    if (friendlyName !== undefined) block.friendlyName = friendlyName;
    previousEnd = wholeEnd;
    yield block;
  }
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

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text before a block. `openssl pkcs12 -nodes` writes a friendlyName as UTF-8 from 3.2 on, but
 * 3.0 and 1.1 write the low byte of each UTF-16 unit: "Lëaf" comes as Latin-1 bytes, which read as
 * UTF-8 were "L\ufffdaf". Bytes that are not UTF-8 are read as Latin-1.
 */
function preambleText(bytes: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
}

function bagFriendlyName(preamble: string): string | undefined {
  const m = /friendlyName:\s*(.*)\s*$/m.exec(preamble.split('-----END').pop() ?? '');
  return m ? m[1]!.trim() : undefined;
}

/** Bytes pemArmor(label, der) takes (label ASCII). */
export function pemArmorLength(label: string, der: Uint8Array): number {
  const base64 = 4 * Math.ceil(der.length / 3);
  const lines = Math.ceil(base64 / 64);
  return `-----BEGIN ${label}-----\n`.length + base64 + Math.max(lines, 1) + `-----END ${label}-----\n`.length;
}

/**
 * Writes pemArmor(label, der) into `out` at `at`, byte for byte, without building the block as
 * one string; returns where it ends. A bundle of thousands of certificates is written into one
 * buffer of the exact size (pemArmorLength), not gathered as text and then encoded.
 */
export function writePemArmor(out: Buffer, at: number, label: string, der: Uint8Array): number {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  at += out.write(`-----BEGIN ${label}-----\n`, at, 'latin1');
  for (let i = 0; i < base64.length; i += 64) {
    if (i > 0) out[at++] = 0x0a;
    at += out.write(base64.slice(i, i + 64), at, 'latin1');
  }
  out[at++] = 0x0a;
  return at + out.write(`-----END ${label}-----\n`, at, 'latin1');
}

export function pemArmor(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
