import { publicKeysEqual } from '../crypto/key_info.js';
import type { Signer } from '../crypto/signer.js';
import { KeyMismatchError, Pkcs11Error } from '../errors.js';
import { certificatePublicKey } from '../cert/describe.js';
import { assertCanIssue } from '../issue/issuer.js';
import { openPkcs11Key, type Pkcs11Access, type Pkcs11Key } from './pkcs11_key.js';
import { formatPkcs11Uri, type Pkcs11Uri } from './uri.js';

/** A CA whose key is in an HSM: the Issuer issuance takes, and the open key to close when done. */
export interface Pkcs11Issuer {
  issuer: { signer: Signer; chain: Uint8Array[] };
  key: Pkcs11Key;
}

/**
 * The CA a pkcs11: URI names: its key on the token, and its certificate chain, given (`chain`,
 * from --ca-cert) or read from the token (the certificate with the key's CKA_ID, and the issuers
 * above it the token holds). The certificate must be a CA's and hold this key.
 */
export async function openPkcs11Issuer(location: string | Pkcs11Uri, access: Pkcs11Access, chain?: Uint8Array[]): Promise<Pkcs11Issuer> {
  const key = await openPkcs11Key(location, access);
  try {
    const certificates = chain && chain.length > 0 ? chain : key.chain();
    const certificate = certificates[0];
    if (!certificate) {
      throw new Pkcs11Error('ERR_PKCS11_OBJECT_NOT_FOUND', `no certificate for ${formatPkcs11Uri(key.uri)} on the token: store one there (hapki ca init --key stores it) or give it with --ca-cert`);
    }
    if (!publicKeysEqual(certificatePublicKey(certificate), key.signer.publicKeyInfo)) {
      throw new KeyMismatchError(`the CA certificate does not belong to the key ${formatPkcs11Uri(key.uri)}`);
    }
    assertCanIssue(certificate);
    return { issuer: { signer: key.signer, chain: [...certificates] }, key };
  } catch (error) {
    key.close();
    throw error;
  }
}
