import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import type { KeystoreFormat } from '../keystore/model.js';

const NAMES: Readonly<Record<string, KeystoreFormat>> = {
  pkcs12: 'PKCS12',
  p12: 'PKCS12',
  pfx: 'PKCS12',
  jks: 'JKS',
  jceks: 'JCEKS',
  pem: 'PEM',
  der: 'DER',
};

const EXTENSIONS: Readonly<Record<string, KeystoreFormat>> = {
  '.p12': 'PKCS12',
  '.pfx': 'PKCS12',
  '.pkcs12': 'PKCS12',
  '.jks': 'JKS',
  '.jceks': 'JCEKS',
  '.pem': 'PEM',
  '.crt': 'PEM',
  '.key': 'PEM',
  '.der': 'DER',
  '.cer': 'DER',
  // keytool's names for keystores of its default type, which is PKCS12 since JDK 9
  '.keystore': 'PKCS12',
  '.truststore': 'PKCS12',
  '.ks': 'PKCS12',
};

export const FORMAT_CHOICES = 'pkcs12|jks|jceks|pem|der';

export function parseFormat(name: string): KeystoreFormat {
  const format = NAMES[name.toLowerCase()];
  if (!format) throw new UsageError(`unknown format "${name}" (expected ${FORMAT_CHOICES})`);
  return format;
}

/**
 * The format to write: the one asked for, or the one the output file's extension names; a name
 * without one (cacerts, a keystore in /etc/...) or ending .keystore, .truststore or .ks is
 * PKCS#12, as keytool writes a store of any name since JDK 9. Another extension (.bin, .txt)
 * asks, and so does standard output (-), which is no name: the reader of a pipe (openssl, a PEM
 * consumer) must not be handed PKCS#12 it did not ask for. `flag`: the command's option that names a format, for the hint (csr calls it --store-format).
 */
export function outputFormat(asked: string | undefined, path: string, flag = '--out-format'): KeystoreFormat {
  if (asked !== undefined) return parseFormat(asked);
  const extension = extname(path).toLowerCase();
  const format = extension === '' && path !== '-' ? 'PKCS12' : EXTENSIONS[extension];
  if (!format) throw new UsageError(`cannot tell the output format from "${path}": give ${flag} (${FORMAT_CHOICES})`);
  return format;
}

/** The format an output file's extension names (.p12, .jks, .pem, .crt, .der, .cer ...), if any. */
export function extensionFormat(path: string): KeystoreFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

/**
 * export's formats: the keystore formats, and PKCS#7 (`p7b`), certificates only, as `openssl
 * crl2pkcs7 -nocrl` writes a chain for Windows/IIS and `keytool -importcert` reads a reply.
 */
export const EXPORT_FORMAT_CHOICES = `${FORMAT_CHOICES}|p7b`;

/** export writes PKCS#7 when asked (--out-format p7b, p7c or pkcs7) or when the file is named .p7b or .p7c. */
export function pkcs7Output(asked: string | undefined, path: string): boolean {
  if (asked !== undefined) return ['p7b', 'p7c', 'pkcs7'].includes(asked.toLowerCase());
  return ['.p7b', '.p7c'].includes(extname(path).toLowerCase());
}

/** The formats that hold a key with its certificate: what ca init, token issue and csr --new-key write. */
export const KEY_ENTRY_FORMAT_CHOICES = 'pkcs12|jks|jceks|pem';

/**
 * The format of a new keystore that holds a key entry (its key and certificate): the one asked
 * for, else the output file's extension's (a .crt or .key is PEM), else `fallback`. DER holds one key or one certificate,
 * never both, so asking for it, or naming the file .der/.cer, is a usage error before any key is
 * made (a .der file that silently held a PKCS#12 was a trap for `openssl x509 -inform DER`).
 */
export function keyEntryFormat(asked: string | undefined, path: string, flag: string, fallback: (path: string) => KeystoreFormat): KeystoreFormat {
  const format = asked !== undefined ? parseFormat(asked) : (EXTENSIONS[extname(path).toLowerCase()] ?? fallback(path));
  if (format !== 'DER') return format;
  const why = asked !== undefined ? 'DER holds one key or one certificate, not a key with its certificate' : `a ${extname(path).toLowerCase()} file is DER, which holds one key or one certificate, not a key with its certificate`;
  throw new UsageError(`${why}: give ${flag} ${KEY_ENTRY_FORMAT_CHOICES} (export --what cert --out-format der writes the certificate alone)`);
}

/** The format of a new store named `path`: its extension's (.p12, .jks, .jceks, .pem, .crt, .der, .cer ...), else PKCS#12, keytool's default. */
export function newStoreFormat(path: string): KeystoreFormat {
  return EXTENSIONS[extname(path).toLowerCase()] ?? 'PKCS12';
}
