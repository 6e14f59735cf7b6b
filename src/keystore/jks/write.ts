import { DuplicateAliasError, KeyLockedError, PasswordRequiredError, UnsupportedEntryError } from '../../errors.js';
import type { WriteOptions } from '../codec.js';
import type { Keystore, PrivateKeyEntry, SecretKeyEntry } from '../model.js';
import { ByteWriter } from './byte_writer.js';
import { protectPrivateKey, readEncryptedKey } from './encrypted_key.js';
import { DIGEST_LENGTH, ENTRY_TAG, JCEKS_MAGIC, JKS_MAGIC, WRITE_VERSION } from './format.js';
import { keystoreDigest } from './integrity.js';
import { encodeModifiedUtf8 } from './modified_utf8.js';
import { JDK_DEFAULT_ITERATIONS, MAX_ITERATIONS, isPbePassword, newPbeParameters } from './pbe_md5_des3.js';
import { sealSecretKey } from './sealed_object.js';

type JavaFormat = 'JKS' | 'JCEKS';

/**
 * Writes a JKS keystore (version 2): private keys under Sun's key protector, trusted
 * certificates, aliases lower-cased as keytool does. JKS cannot hold secret keys.
 */
export async function writeJks(store: Keystore, options: WriteOptions = {}): Promise<Uint8Array> {
  return writeJavaKeystore('JKS', store, options);
}

/**
 * Writes a JCEKS keystore (version 2): private keys under PBEWithMD5AndTripleDES, secret keys
 * as the SealedObjectForKeyProtector JDK 17 reads. `options.iterations` defaults to JDK 17's
 * 200,000.
 */
export async function writeJceks(store: Keystore, options: WriteOptions = {}): Promise<Uint8Array> {
  return writeJavaKeystore('JCEKS', store, options);
}

function writeJavaKeystore(format: JavaFormat, store: Keystore, options: WriteOptions): Uint8Array {
  const password = options.password;
  if (password === undefined) throw new PasswordRequiredError(`a ${format} keystore needs a password for its integrity digest`);
  const iterations = options.iterations ?? JDK_DEFAULT_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new TypeError(`iterations must be an integer from 1 to ${MAX_ITERATIONS} (the most the JDK reads)`);
  }

  const seen = new Set<string>();
  const out = new ByteWriter()
    .u32(format === 'JKS' ? JKS_MAGIC : JCEKS_MAGIC)
    .u32(WRITE_VERSION)
    .u32(store.entries.length);
  const now = new Date();
  for (const entry of store.entries) {
    // keytool stores aliases lower-cased (Locale.ENGLISH) and finds them case-insensitively.
    const alias = entry.alias.toLowerCase();
    if (seen.has(alias)) throw new DuplicateAliasError(alias);
    seen.add(alias);
    if (encodeModifiedUtf8(alias).length > 0xffff) throw new UnsupportedEntryError(`alias "${alias.slice(0, 40)}..." is too long for ${format}`);
    const time = (entry.created ?? now).getTime();
    if (!Number.isFinite(time)) throw new TypeError(`entry "${entry.alias}" has an invalid creation date`);
    const created = BigInt(time);

    switch (entry.type) {
      case 'private-key': {
        const key = protectedKey(format, entry, password, iterations);
        // the JDK needs the certificate to know the key's algorithm: keytool shows a key without one as a secret key
        if (entry.chain.length === 0) {
          throw new UnsupportedEntryError(`private key "${entry.alias}" has no certificate, which ${format} needs (export --what all, or write the bare key to PEM or DER)`);
        }
        out.u32(ENTRY_TAG.privateKey).utf(alias).i64(created).lengthPrefixed(key);
        out.u32(entry.chain.length);
        for (const cert of entry.chain) out.utf('X.509').lengthPrefixed(cert);
        break;
      }
      case 'trusted-cert':
        out.u32(ENTRY_TAG.trustedCert).utf(alias).i64(created).utf('X.509').lengthPrefixed(entry.certificate);
        break;
      case 'secret-key':
        if (format === 'JKS') {
          throw new UnsupportedEntryError(`secret key "${entry.alias}" cannot be stored in a JKS keystore (use JCEKS or PKCS12)`);
        }
        out.u32(ENTRY_TAG.secretKey).utf(alias).i64(created).bytes(sealedSecretKey(entry, password, iterations));
        break;
    }
  }
  // one buffer of the exact size, the digest written into its last DIGEST_LENGTH bytes
  const bodyLength = out.length;
  const result = out.finish(DIGEST_LENGTH);
  result.set(keystoreDigest(password, result.subarray(0, bodyLength)), bodyLength);
  return result;
}

function entryPassword(format: JavaFormat, entry: PrivateKeyEntry | SecretKeyEntry, storePassword: string): string {
  const password = entry.password ?? storePassword;
  if (format === 'JCEKS' && !isPbePassword(password)) {
    // SunJCE's PBE key factory refuses such passwords, so the JDK could never open the key.
    throw new UnsupportedEntryError(`key password of "${entry.alias}" must be printable ASCII in a JCEKS keystore`);
  }
  return password;
}

function protectedKey(format: JavaFormat, entry: PrivateKeyEntry, storePassword: string, iterations: number): Uint8Array {
  if (entry.key) return protectPrivateKey(format === 'JKS' ? 'sun' : 'pbe', entry.key, entryPassword(format, entry, storePassword), iterations);
  const sealed = entry.sealed;
  if (sealed && (sealed.format === 'JKS' || sealed.format === 'JCEKS')) {
    // Re-emit the key as it was protected: a Sun-protected key is valid in both formats (the
    // JDK's JCEKS reads it), a PBE-protected one only in JCEKS.
    const protection = readEncryptedKey(sealed.data, 0).protection;
    if (protection === 'sun' || format === 'JCEKS') return sealed.data;
  }
  throw new KeyLockedError(entry.alias);
}

function sealedSecretKey(entry: SecretKeyEntry, storePassword: string, iterations: number): Uint8Array {
  if (entry.key) return sealSecretKey(entry.algorithm, entry.key, entryPassword('JCEKS', entry, storePassword), newPbeParameters(iterations));
  if (entry.sealed?.format === 'JCEKS') return entry.sealed.data;
  throw new KeyLockedError(entry.alias);
}
