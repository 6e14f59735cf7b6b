import type { WebCrypto } from '../crypto/provider.js';
import { x509 } from '../lib/x509.js';
import type { PathCertificate } from './path_certificate.js';

/**
 * Verifies that `issuer`'s key signed `cert`, through @peculiar/x509 and the given WebCrypto
 * (RSA PKCS#1 v1.5 and PSS, ECDSA, Ed25519). Results are remembered per pair, since path building
 * may try the same link on several paths. A key or signature that cannot be used is a failure.
 */
export class SignatureChecker {
  private readonly parsed = new Map<PathCertificate, x509.X509Certificate | null>();
  private readonly results = new Map<PathCertificate, Map<PathCertificate, boolean>>();

  constructor(private readonly crypto: WebCrypto) {}

  async verify(cert: PathCertificate, issuer: PathCertificate): Promise<boolean> {
    let byIssuer = this.results.get(cert);
    if (!byIssuer) this.results.set(cert, (byIssuer = new Map()));
    const known = byIssuer.get(issuer);
    if (known !== undefined) return known;
    const result = await this.check(cert, issuer);
    byIssuer.set(issuer, result);
    return result;
  }

  private async check(cert: PathCertificate, issuer: PathCertificate): Promise<boolean> {
    const child = this.parse(cert);
    const parent = this.parse(issuer);
    if (!child || !parent) return false;
    try {
      const crypto = this.crypto as unknown as Parameters<x509.X509Certificate['verify']>[1];
      return await child.verify({ publicKey: parent.publicKey, signatureOnly: true }, crypto);
    } catch {
      return false;
    }
  }

  private parse(cert: PathCertificate): x509.X509Certificate | null {
    let parsed = this.parsed.get(cert);
    if (parsed === undefined) {
      try {
        parsed = new x509.X509Certificate(Buffer.from(cert.der));
      } catch {
        parsed = null;
      }
      this.parsed.set(cert, parsed);
    }
    return parsed;
  }
}
