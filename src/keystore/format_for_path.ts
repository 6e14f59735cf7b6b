import { extname } from 'node:path';
import type { KeystoreFormat } from './model.js';

const KEYSTORE_EXTENSIONS: Readonly<Record<string, KeystoreFormat>> = { '.p12': 'PKCS12', '.pfx': 'PKCS12', '.jks': 'JKS', '.jceks': 'JCEKS', '.pem': 'PEM' };

/**
 * The format a new keystore gets when nobody names one: its file extension's (.p12, .pfx, .jks,
 * .jceks, .pem), else PKCS#12, the format keytool and OpenSSL write by default. (Reading never
 * looks at names: formats are detected by content.)
 */
export function newKeystoreFormat(path: string): KeystoreFormat {
  return KEYSTORE_EXTENSIONS[extname(path).toLowerCase()] ?? 'PKCS12';
}
