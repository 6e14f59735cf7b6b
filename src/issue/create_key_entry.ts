import type { KeySpec } from '../crypto/key_spec.js';
import { encodeSubject } from '../names/subject_values.js';
import { DEFAULT_KEY_SPEC } from '../crypto/key_spec.js';
import type { WebCrypto } from '../crypto/provider.js';
import { AliasExistsError } from '../errors.js';
import { findEntry } from '../keystore/alias.js';
import type { Keystore, PrivateKeyEntry } from '../keystore/model.js';
import { createCsrWithSigner } from './create_csr.js';
import { certificateForKey, newSigningKey } from './new_key_entry.js';
import type { SubjectAltName } from './san.js';

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
export async function requestWithNewKey(store: Keystore, options: NewKeyRequestOptions, crypto?: WebCrypto): Promise<NewKeyRequest> {
  if (findEntry(store, options.alias)) throw new AliasExistsError(options.alias, `alias "${options.alias}" already exists: choose another for the new key`);
  const sans = [...(options.sans ?? [])];
  const key = await newSigningKey(options.key ?? DEFAULT_KEY_SPEC, crypto);
  const { certificate: placeholder } = await certificateForKey(
    {
      subject: options.subject,
      ...(options.days === undefined ? {} : { days: options.days }),
      defaultDays: PLACEHOLDER_DAYS,
      ...(options.now ? { now: options.now } : {}),
      usage: { ca: false, keyUsage: [], extendedKeyUsage: [], sans },
    },
    key.signer,
    crypto,
  );
  const entry: PrivateKeyEntry = {
    type: 'private-key',
    alias: options.alias,
    key: key.pkcs8,
    chain: [placeholder],
    created: options.now ?? new Date(),
  };
  const csr = await createCsrWithSigner(key.signer, encodeSubject(options.subject), sans);
  return { store: { ...store, entries: [...store.entries, entry], warnings: [] }, entry, csr };
}
