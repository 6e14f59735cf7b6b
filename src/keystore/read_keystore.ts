import type { KeystoreEntryStream, KeystoreReader, KeystoreStreamReader, ReadOptions } from './codec.js';
import { readBks } from './bc/bks_read.js';
import { readDerStore } from './der/read.js';
import { detectFormat } from './detect.js';
import { readJceks, readJks, streamJceks, streamJks } from './jks/read.js';
import type { Keystore, KeystoreFormat } from './model.js';
import { readPem } from './pem/read.js';
import { readPkcs12 } from './pkcs12/read.js';

const READERS: Readonly<Record<KeystoreFormat, KeystoreReader>> = {
  PKCS12: readPkcs12,
  JKS: readJks,
  JCEKS: readJceks,
  PEM: readPem,
  DER: readDerStore,
  BKS: readBks,
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

/** Formats whose entries stand alone in the file, so that they can be read one at a time. */
const STREAM_READERS: Readonly<Partial<Record<KeystoreFormat, KeystoreStreamReader>>> = {
  JKS: streamJks,
  JCEKS: streamJceks,
};

/**
 * readKeystore entry by entry, for a caller that looks at each entry in turn and keeps none (a
 * listing): a JKS or JCEKS store's entries are copied out and opened one at a time. PKCS#12 and
 * PEM pair keys with certificates found anywhere in the file, so they are read whole first and
 * then handed out one by one.
 */
export async function readKeystoreEntries(bytes: Uint8Array, options: ReadKeystoreOptions = {}): Promise<KeystoreEntryStream> {
  const format = options.format ?? detectFormat(bytes);
  const stream = STREAM_READERS[format];
  if (stream) return stream(bytes, options);
  const store = await READERS[format](bytes, options);
  return { ...store, count: store.entries.length };
}
