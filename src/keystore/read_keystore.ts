import type { KeystoreReader, ReadOptions } from './codec.js';
import { readDerStore } from './der/read.js';
import { detectFormat } from './detect.js';
import { readJceks, readJks } from './jks/read.js';
import type { Keystore, KeystoreFormat } from './model.js';
import { readPem } from './pem/read.js';
import { readPkcs12 } from './pkcs12/read.js';

const READERS: Readonly<Record<KeystoreFormat, KeystoreReader>> = {
  PKCS12: readPkcs12,
  JKS: readJks,
  JCEKS: readJceks,
  PEM: readPem,
  DER: readDerStore,
};

export interface ReadKeystoreOptions extends ReadOptions {
  /** Skip detection and read as this format. */
  format?: KeystoreFormat;
}

/** Reads a keystore of any supported format, detected from its content. */
export async function readKeystore(bytes: Uint8Array, options: ReadKeystoreOptions = {}): Promise<Keystore> {
  const format = options.format ?? detectFormat(bytes);
  return READERS[format](bytes, options);
}
