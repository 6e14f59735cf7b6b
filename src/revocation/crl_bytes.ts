import { CrlFormatError } from '../errors.js';
import { readFileBytes } from '../fs/read_file.js';
import { MAX_CRL_BYTES } from './crl_read.js';

const PEM = /-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]*?)-----END X509 CRL-----/g;

/** The DER CRLs in a file's bytes: PEM (one or more "X509 CRL" blocks) or one DER CRL. */
export function crlsFromBytes(bytes: Uint8Array, what: string): Uint8Array[] {
  if (bytes.length > 0 && bytes[0] === 0x30) return [bytes];
  const text = new TextDecoder('latin1').decode(bytes);
  const out = [...text.matchAll(PEM)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  if (out.length === 0) throw new CrlFormatError(`${what} holds no CRL (neither DER nor PEM "X509 CRL")`);
  return out;
}

/** The DER CRLs in files (PEM or DER each), read with a bound: a PEM CRL of MAX_CRL_BYTES is at most 4/3 larger plus line breaks. */
export async function readCrlFiles(paths: readonly string[], read: (path: string, maxBytes: number) => Promise<Uint8Array> = readFileBytes): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const path of paths) out.push(...crlsFromBytes(await read(path, Math.ceil(MAX_CRL_BYTES * 1.4)), path === '-' ? 'standard input' : path));
  return out;
}
