import { readDer } from '../../asn1/der_reader.js';
import { certificateNames } from '../../cert/names.js';
import { pkcs7Certificates } from '../../cert/pkcs7_certificates.js';
import { decryptPrivateKeyInfo } from '../../crypto/pbe/encrypted_private_key_info.js';
import { HapkiError, KeystoreFormatError, KeystorePasswordError, PasswordRequiredError } from '../../errors.js';
import type { ReadOptions } from '../codec.js';
import { emptyKeystore, type Keystore } from '../model.js';
import { nameFor } from '../pair_keys.js';
import { AliasTaker } from '../alias.js';
import { classifyDer } from './classify.js';
import { traditionalKeyToPkcs8 } from './private_key_der.js';

/**
 * Reads one DER object as a keystore of one entry: a certificate (a trusted-certificate entry),
 * or a private key (PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1; a key entry without certificates);
 * a PKCS#7 certificate bundle gives a trusted-certificate entry per certificate.
 */
export async function readDerStore(bytes: Uint8Array, options: ReadOptions = {}): Promise<Keystore> {
  const store = emptyKeystore('DER');
  const node = readDer(bytes, 'DER input');
  const kind = classifyDer(node);
  switch (kind) {
    case 'certificate':
      certificateNames(bytes);
      store.entries.push({ type: 'trusted-cert', alias: nameFor(bytes, 'cert'), certificate: bytes });
      return store;
    case 'pkcs7': {
      // a PKCS#7 certificate bundle (.p7b): each certificate a trusted entry, as keytool -printcert shows them
      const certificates = pkcs7Certificates(bytes);
      if (!certificates) throw new KeystoreFormatError('DER input is a PKCS#7 structure other than SignedData');
      const seen = new Set<string>();
      const aliases = new AliasTaker(store);
      for (const der of certificates) {
        certificateNames(der);
        const id = Buffer.from(der).toString('base64');
        if (seen.has(id)) continue;
        seen.add(id);
        store.entries.push({ type: 'trusted-cert', alias: aliases.take(nameFor(der, 'cert')), certificate: der });
      }
      return store;
    }
    case 'pkcs8':
      store.entries.push({ type: 'private-key', alias: 'key', key: bytes, chain: [] });
      store.protection = { legacy: false, keysInClear: true };
      return store;
    case 'pkcs1':
    case 'sec1':
      store.entries.push({ type: 'private-key', alias: 'key', key: traditionalKeyToPkcs8(bytes, kind), chain: [] });
      store.protection = { legacy: false, keysInClear: true };
      return store;
    case 'encrypted-pkcs8': {
      const password = options.keyPassword ?? options.password;
      if (password === undefined) throw new PasswordRequiredError('the DER private key is encrypted: give its password');
      store.entries.push({ type: 'private-key', alias: 'key', key: await decryptOrPasswordError(bytes, password), chain: [] });
      return store;
    }
    default:
      throw new KeystoreFormatError('DER input is neither a certificate nor a private key');
  }
}

async function decryptOrPasswordError(bytes: Uint8Array, password: string): Promise<Uint8Array> {
  try {
    return await decryptPrivateKeyInfo(bytes, password);
  } catch (error) {
    if (error instanceof HapkiError && (error.code === 'ERR_UNSUPPORTED_ALGORITHM' || error.code === 'ERR_KEYSTORE_FORMAT')) throw error;
    throw new KeystorePasswordError('password for the encrypted private key was incorrect');
  }
}
