import { canonicalSpki, publicKeyOfPrivateKey, publicKeysEqual } from '../crypto/key_info.js';
import { contentKey } from '../crypto/digest.js';
import { addTo } from '../lib/multimap.js';
import { certificatePublicKey } from './describe.js';

/** Whether the private key (PKCS#8) is the one the certificate was issued for. Throws on a key or certificate that does not parse. */
export function keyMatchesCertificate(pkcs8: Uint8Array, certificate: Uint8Array): boolean {
  return publicKeysEqual(publicKeyOfPrivateKey(pkcs8), certificatePublicKey(certificate));
}

/**
 * Certificates indexed by their public key (canonical SPKI), so that pairing n keys with m
 * certificates parses each once: linear, where asking every certificate for every key was n x m
 * key parses (a 1,000-pair bundle took minutes).
 */
export class CertificateKeyIndex<T> {
  private readonly raw = new Map<string, T[]>();
  private canonical: Map<string, T[]> | undefined;
  private readonly spkis: { candidate: T; spki: Uint8Array }[] = [];

  constructor(candidates: readonly T[], certificateOf: (candidate: T) => Uint8Array) {
    for (const candidate of candidates) {
      let spki: Uint8Array;
      try {
        spki = certificatePublicKey(certificateOf(candidate));
      } catch {
        continue;
      }
      this.spkis.push({ candidate, spki });
      addTo(this.raw, contentKey(spki), candidate);
    }
  }

  /** The candidates whose certificate holds the key's public half, in their order; none for a key that does not parse. */
  forKey(pkcs8: Uint8Array): T[] {
    let id: string;
    try {
      id = contentKey(publicKeyOfPrivateKey(pkcs8));
    } catch {
      return [];
    }
    // certificates almost always hold the key in the encoding Node exports; only a miss pays
    // for re-encoding every certificate's key, once
    const exact = this.raw.get(id);
    if (exact) return [...exact];
    if (!this.canonical) {
      this.canonical = new Map();
      for (const { candidate, spki } of this.spkis) addTo(this.canonical, contentKey(canonicalSpki(spki)), candidate);
    }
    return [...(this.canonical.get(id) ?? [])];
  }
}

/**
 * The candidates whose certificate holds the key's public half, in their order: how a key finds
 * its certificate in a bundle. A key or certificate that does not parse matches nothing.
 * For many keys over the same candidates, build one CertificateKeyIndex instead.
 */
export function certificatesForKey<T>(pkcs8: Uint8Array, candidates: readonly T[], certificateOf: (candidate: T) => Uint8Array): T[] {
  return new CertificateKeyIndex(candidates, certificateOf).forKey(pkcs8);
}
