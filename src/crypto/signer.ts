/**
 * Who produces a signature: the boundary between issuance (certificates, CSRs, CRLs, built as
 * DER by hapki) and the key. The default implementation (issue "Fast where it counts") wraps a
 * node:crypto KeyObject and signs in-process; a WebCrypto key (any injected provider) and a
 * PKCS#11 object in an HSM (issue "CA and token keys in a hardware security module") are other
 * implementations. Issuance code signs through this interface only, so every key location
 * drops in without special cases above it.
 */
export interface Signer {
  /** The signer's SubjectPublicKeyInfo, DER: AKI/SKI and key-match checks use it. */
  readonly publicKeyInfo: Uint8Array;
  /** The DER AlgorithmIdentifier this signer writes into signatureAlgorithm/signature fields. */
  readonly signatureAlgorithm: Uint8Array;
  /**
   * Signs the bytes (the DER of a TBSCertificate, CertificationRequestInfo or TBSCertList) and
   * returns the signature as it goes into the BIT STRING: PKCS#1 v1.5 for RSA, a DER
   * Ecdsa-Sig-Value for ECDSA, the raw 64 bytes for Ed25519.
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /**
   * A twin of this signer that lets several signatures run at once (node:crypto's thread pool),
   * for batches; absent where sign() is already asynchronous work elsewhere (WebCrypto, an HSM).
   */
  parallel?(): Signer;
}
