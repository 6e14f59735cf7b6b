/**
 * The format-neutral keystore model. Codecs turn bytes into a Keystore and back; everything
 * else in hapki (issuance, trust, tokens, audit) works on this model, never on a format.
 */
export type KeystoreFormat = 'PKCS12' | 'JKS' | 'JCEKS' | 'PEM' | 'DER' | 'BKS';

/** The formats hapki writes (BKS, BouncyCastle's, is read only). */
export const KEYSTORE_FORMATS: readonly KeystoreFormat[] = ['PKCS12', 'JKS', 'JCEKS', 'PEM', 'DER'];

/**
 * An entry's key material as its own format protects it, kept when the key could not be
 * decrypted (no password, or a key password that differs from the store password), so that
 * rewriting the store in the same format keeps the entry intact.
 */
export interface SealedKey {
  readonly format: KeystoreFormat;
  readonly data: Uint8Array;
  /** Why the key is still sealed: no password was given, the one tried did not open it, or the reader was asked not to open it. */
  readonly reason: 'no-password' | 'wrong-password' | 'not-opened';
}

export interface PrivateKeyEntry {
  readonly type: 'private-key';
  alias: string;
  /** PKCS#8 PrivateKeyInfo (DER). Absent while the key is sealed. */
  key?: Uint8Array;
  sealed?: SealedKey;
  /** X.509 certificates (DER), leaf first. A key without certificates is allowed. */
  chain: Uint8Array[];
  created?: Date;
  /** The entry's own password where the format has one and it differs from the store password. */
  password?: string;
}

export interface TrustedCertEntry {
  readonly type: 'trusted-cert';
  alias: string;
  certificate: Uint8Array;
  /**
   * openssl's trust settings (X509_CERT_AUX) of a TRUSTED CERTIFICATE block in a PEM bundle: the
   * uses the file trusts it for (pem_blocks trustedUses). Kept so that path validation honours
   * them and a PEM bundle writes them back; other formats hold no such settings.
   */
  trust?: Uint8Array;
  created?: Date;
}

export interface SecretKeyEntry {
  readonly type: 'secret-key';
  alias: string;
  /** Java algorithm name: AES, DES, DESede, HmacSHA256, PBKDF2WithHmacSHA1, ... */
  algorithm: string;
  /** The raw key bytes. Absent while the key is sealed. */
  key?: Uint8Array;
  sealed?: SealedKey;
  created?: Date;
  password?: string;
}

export type KeystoreEntry = PrivateKeyEntry | TrustedCertEntry | SecretKeyEntry;
export type EntryType = KeystoreEntry['type'];

export interface Keystore {
  /** The format the store was read from, or is meant to be written as. */
  format: KeystoreFormat;
  entries: KeystoreEntry[];
  /**
   * False when the store was read without its password, so its integrity (MAC or keyed hash)
   * could not be checked. Certificates are then as the file says, unverified.
   */
  integrityChecked: boolean;
  /** Things a reader noticed and kept going past, for the user to see (never secrets). */
  warnings: string[];
  /**
   * How the file was protected, where the format has a choice: a PKCS#12 read with a SHA-1 MAC
   * is `legacy`, and is written back so (rewriting a store in place must not lock out the old
   * readers it was made for). A new or converted store has none and gets the modern default.
   * `unprotected`: a PKCS#12 of certificates only, without a MAC and with nothing encrypted (the
   * JDK's password-less trust store, `openssl pkcs12 -nomac -certpbe NONE`): rewritten in place
   * while it holds certificates only, it stays so, since its readers open it without a password.
   * `macPassword`: the same store with a MAC under the empty ('') or absent (null) password, as
   * Python cryptography's `serialize_java_truststore(..., NoEncryption())` and `openssl pkcs12
   * -export -nokeys -certpbe NONE -passout pass:` write it; a JVM without a trust store password
   * skips that MAC and reads the certificates, so it is kept, and they stay in the clear.
   */
  /**
   * `keysInClear`: a PEM or DER file whose private keys (one at least) were all in the clear: a
   * rewrite in place under the empty password (`rewriteKeystore`) keeps them so.
   */
  protection?: { legacy: boolean; unprotected?: boolean; macPassword?: '' | null; keysInClear?: boolean };
}

export function emptyKeystore(format: KeystoreFormat): Keystore {
  return { format, entries: [], integrityChecked: true, warnings: [] };
}
