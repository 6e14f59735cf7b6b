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
};

export const FORMAT_CHOICES = 'pkcs12|jks|jceks|pem|der';

export function parseFormat(name: string): KeystoreFormat {
  const format = NAMES[name.toLowerCase()];
  if (!format) throw new UsageError(`unknown format "${name}" (expected ${FORMAT_CHOICES})`);
  return format;
}

/**
 * The format to write: the one asked for, or the one the output file's extension names.
 * `flag`: the command's option that names a format, for the hint (csr calls it --store-format).
 */
export function outputFormat(asked: string | undefined, path: string, flag = '--out-format'): KeystoreFormat {
  if (asked !== undefined) return parseFormat(asked);
  const format = EXTENSIONS[extname(path).toLowerCase()];
  if (!format) throw new UsageError(`cannot tell the output format from "${path}": give ${flag} (${FORMAT_CHOICES})`);
  return format;
}
