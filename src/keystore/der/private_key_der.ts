import { createPrivateKey } from 'node:crypto';
import { KeystoreFormatError } from '../../errors.js';

/** Converts a PKCS#1 RSA or SEC1 EC private key (DER) into PKCS#8, the model's one key form. */
export function traditionalKeyToPkcs8(der: Uint8Array, kind: 'pkcs1' | 'sec1'): Uint8Array {
  try {
    const key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: kind });
    return new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
  } catch (cause) {
    throw new KeystoreFormatError(`not a valid ${kind === 'pkcs1' ? 'PKCS#1 RSA' : 'SEC1 EC'} private key`, undefined, { cause });
  }
}
