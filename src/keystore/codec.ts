import type { Keystore, KeystoreEntry } from './model.js';

/** How to open a keystore. Codecs take bytes and these options, and never touch files. */
export interface ReadOptions {
  /**
   * The store password. Undefined means none was given: JKS and JCEKS then still list their
   * certificates (integrity unchecked, as `keytool -list` does) with their keys left sealed;
   * PKCS#12 tries the empty and the absent password, as OpenSSL does.
   */
  password?: string;
  /** Key passwords by alias, for formats whose entries have their own (JKS, JCEKS). */
  keyPasswords?: Readonly<Record<string, string>>;
  /** One key password for every entry that has no entry in keyPasswords. */
  keyPassword?: string;
  /**
   * Read the certificates and verify the store's integrity, but leave every key sealed: what an
   * audit needs, without the key derivation each key costs (200,000 rounds a JCEKS key).
   */
  certificatesOnly?: boolean;
  /**
   * JKS/JCEKS/PKCS#12: verify the store's integrity and open its secret keys, but leave its
   * private keys sealed, described by their certificates: what listing needs, as `keytool -list`
   * does, without the key derivation each key costs (a PKCS#12 key whose certificate no
   * localKeyId names is still opened: its key is how its certificate is found). Other formats open
   * their keys as usual.
   */
  privateKeysSealed?: boolean;
  /**
   * Key-derivation rounds one derivation may ask for (default LIMITS.iterationsPerDerivation,
   * 5,000,000, as the JDK); the whole file may ask for LIMITS.fileIterationsFactor times it.
   */
  maxIterations?: number;
  /**
   * The caller gives up the bytes it passes: a reader may decrypt into them in place (a
   * PKCS#12's certificates), and what it returns may be views of them. A large store is then
   * held once, not as its file and its decrypted contents. The bytes must not be used again.
   */
  consumeInput?: boolean;
}

export interface WriteOptions {
  /**
   * The store password (and the key password of entries that have none of their own). The empty
   * string is a password like any other, in every format: a PKCS#12, JKS or JCEKS under the empty
   * password, a PEM or DER key encrypted under it (as `openssl pkcs8 -topk8 -passout pass:` writes;
   * openssl reads it with `-passin pass:`). Only an absent password writes a PEM or DER key in
   * the clear.
   */
  password?: string;
  /** PKCS#12 only: 3DES-encrypted keys, RC2-40-encrypted certificates and a SHA-1 MAC. */
  legacy?: boolean;
  /** Iteration count for password-based encryption and MACs (default: format's modern default). */
  iterations?: number;
}

export type KeystoreReader = (bytes: Uint8Array, options?: ReadOptions) => Promise<Keystore>;
export type KeystoreWriter = (store: Keystore, options?: WriteOptions) => Promise<Uint8Array>;

/**
 * A keystore read entry by entry: what the whole-store reader gives, but with the entries handed
 * out one at a time as they are opened, so a caller that looks at each in turn (listing) never
 * holds them all. The file's structure and integrity are checked before the first entry.
 */
export interface KeystoreEntryStream extends Omit<Keystore, 'entries'> {
  /** How many entries `entries` gives. */
  count: number;
  /** The entries, in the store's order; iterate once. Opening one may throw (a wrong key password given for it). */
  entries: Iterable<KeystoreEntry>;
}

export type KeystoreStreamReader = (bytes: Uint8Array, options?: ReadOptions) => Promise<KeystoreEntryStream>;
