import { DEFAULT_KEY_SPEC, exportPkcs8, exportSpki, generateKeyPair, type KeySpec } from '../crypto/keys.js';
import { defaultCrypto, useCryptoForX509, type WebCrypto } from '../crypto/provider.js';
import { AliasExistsError } from '../errors.js';
import { findEntry } from '../keystore/alias.js';
import type { Keystore, PrivateKeyEntry } from '../keystore/model.js';
import { buildCertificate } from './build_certificate.js';
import { createCsrWithKeys } from './create_csr.js';
import type { SubjectAltName } from './san.js';
import { randomSerial } from './serial.js';
import { encodeName } from '../cert/dn.js';
import { computeValidity } from './validity.js';

/** keytool -genkeypair's default validity for the self-signed placeholder. */
export const PLACEHOLDER_DAYS = 90;

export interface NewKeyRequestOptions {
  alias: string;
  /** "CN=msas1.example.com,O=Example". */
  subject: string;
  key?: KeySpec;
  sans?: readonly SubjectAltName[];
  /** Validity of the self-signed placeholder certificate (default 90 days, as keytool). */
  days?: number;
  now?: Date;
}

export interface NewKeyRequest {
  /** A copy of the store with the new entry added; the input store is left as it was. */
  store: Keystore;
  entry: PrivateKeyEntry;
  /** PKCS#10 request, DER. */
  csr: Uint8Array;
}

/**
 * A new key in the keystore and a request for it at once (keytool -genkeypair, then -certreq).
 * The entry holds a self-signed placeholder certificate, as keytool's does, so that it is a
 * valid private-key entry until the CA reply replaces it. Refuses an alias already in use.
 */
export async function requestWithNewKey(store: Keystore, options: NewKeyRequestOptions, crypto: WebCrypto = defaultCrypto()): Promise<NewKeyRequest> {
  useCryptoForX509(crypto);
  if (findEntry(store, options.alias)) throw new AliasExistsError(options.alias, `alias "${options.alias}" already exists: choose another for the new key`);
  const subject = encodeName(options.subject);
  const sans = [...(options.sans ?? [])];
  const keys = await generateKeyPair(options.key ?? DEFAULT_KEY_SPEC, crypto);
  const validity = computeValidity({ ...(options.days === undefined ? {} : { days: options.days }), ...(options.now ? { now: options.now } : {}) }, PLACEHOLDER_DAYS);
  const placeholder = await buildCertificate(
    { subject, issuer: subject, publicKey: await exportSpki(keys.publicKey, crypto), serial: randomSerial(crypto), ...validity, ca: false, keyUsage: [], extendedKeyUsage: [], sans },
    keys.privateKey,
    crypto,
  );
  const entry: PrivateKeyEntry = {
    type: 'private-key',
    alias: options.alias,
    key: await exportPkcs8(keys.privateKey, crypto),
    chain: [placeholder],
    created: options.now ?? new Date(),
  };
  const csr = await createCsrWithKeys(keys, subject, sans, crypto);
  return { store: { ...store, entries: [...store.entries, entry], warnings: [] }, entry, csr };
}
