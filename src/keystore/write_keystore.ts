import { UnsupportedKeystoreError } from '../errors.js';
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
  BKS: refuseBks,
};

/** hapki reads BKS and does not write it: a change to a BKS store is refused before anything is written. */
async function refuseBks(): Promise<Uint8Array> {
  throw new UnsupportedKeystoreError(
    'BKS',
    'hapki reads BKS keystores but does not write them: write a PKCS#12 instead (hapki convert FILE.bks FILE.p12), which BouncyCastle reads as its PKCS12 type',
  );
}

/**
 * Encodes a store read from a file, to be written back to it in place, under `password` (the one
 * it was read with, or its new one). The empty string is a password to the writers
 * (a PEM or DER key is encrypted under it, see WriteOptions), but a PEM or DER file whose keys were
 * all in the clear opens under any password, the empty one included: rewritten in place with ''
 * (`--storepass` empty), its keys stay in the clear as they were, never encrypted under an empty
 * password nobody chose. A password that is not empty protects the keys, as before.
 */
export async function rewriteKeystore(store: Keystore, password: string | undefined): Promise<Uint8Array> {
  const keepInClear = password === '' && (store.format === 'PEM' || store.format === 'DER') && store.protection?.keysInClear === true;
  return writeKeystore(store, password === undefined || keepInClear ? {} : { password });
}

/** Encodes a keystore in the given format (default: the format it was read from). */
export async function writeKeystore(store: Keystore, options: WriteOptions & { format?: KeystoreFormat } = {}): Promise<Uint8Array> {
  return WRITERS[options.format ?? store.format](store, options);
}
