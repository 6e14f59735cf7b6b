import { publicKeyOfPrivateKey, publicKeysEqual } from '../crypto/key_info.js';
import { certificatePublicKey } from './describe.js';

/** Whether the private key (PKCS#8) is the one the certificate was issued for. Throws on a key or certificate that does not parse. */
export function keyMatchesCertificate(pkcs8: Uint8Array, certificate: Uint8Array): boolean {
  return publicKeysEqual(publicKeyOfPrivateKey(pkcs8), certificatePublicKey(certificate));
}

/**
 * The candidates whose certificate holds the key's public half, in their order: how a key finds
 * its certificate in a bundle. A key or certificate that does not parse matches nothing.
 */
export function certificatesForKey<T>(pkcs8: Uint8Array, candidates: readonly T[], certificateOf: (candidate: T) => Uint8Array): T[] {
  let publicKey: Uint8Array;
  try {
    publicKey = publicKeyOfPrivateKey(pkcs8);
  } catch {
    return [];
  }
  return candidates.filter((candidate) => {
    try {
      return publicKeysEqual(publicKey, certificatePublicKey(certificateOf(candidate)));
    } catch {
      return false;
    }
  });
}
