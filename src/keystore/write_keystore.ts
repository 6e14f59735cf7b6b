import type { KeystoreWriter, WriteOptions } from './codec.js';
import { writeDerStore } from './der/write.js';
import { writeJceks, writeJks } from './jks/write.js';
import type { Keystore, KeystoreFormat } from './model.js';
import { writePem } from './pem/write.js';
import { writePkcs12 } from './pkcs12/write.js';

const WRITERS: Readonly<Record<KeystoreFormat, KeystoreWriter>> = {
  PKCS12: writePkcs12,
  JKS: writeJks,
  JCEKS: writeJceks,
  PEM: writePem,
  DER: writeDerStore,
};

/** Encodes a keystore in the given format (default: the format it was read from). */
export async function writeKeystore(store: Keystore, options: WriteOptions & { format?: KeystoreFormat } = {}): Promise<Uint8Array> {
  return WRITERS[options.format ?? store.format](store, options);
}
