import { hash } from 'node:crypto';
import { nameKey } from './dn_match.js';
import { tryReadPathCertificate, type PathCertificate } from './path_certificate.js';

/**
 * Trust anchors read once, for many validations against the same set: a store's trusted entries,
 * which `audit` checks every key entry of the store against. Handing validatePath the DER list
 * instead reads every anchor again for each validation, so that a store of 1,000 keys and 1,000
 * trusted entries (3 MB) cost 20 s of CPU, growing with the square of its size. Here each anchor
 * is read once, byte-identical copies are kept once, and a validation is given only the anchors
 * path building could take: those whose subject is the issuer of the leaf or of one of the
 * untrusted certificates, or the leaf's own (a leaf trusted directly). Path building takes an
 * issuer by name (RFC 5280 comparison, as here) and ends at the first anchor, so the verdict and
 * its reason are those of a validation against the whole list.
 */
export class TrustAnchors {
  private constructor(
    private readonly read: readonly PathCertificate[],
    private readonly bySubject: ReadonlyMap<string, readonly PathCertificate[]>,
    private readonly extra: readonly PathCertificate[],
  ) {}

  /** Reads the anchors (DER); unreadable ones are left out, as validatePath leaves them out. */
  static read(certificates: readonly Uint8Array[]): TrustAnchors {
    const seen = new Set<string>();
    const all: PathCertificate[] = [];
    const bySubject = new Map<string, PathCertificate[]>();
    for (const der of certificates) {
      const digest = hash('sha256', der, 'base64');
      if (seen.has(digest)) continue;
      seen.add(digest);
      const cert = tryReadPathCertificate(der);
      if (!cert) continue;
      all.push(cert);
      const key = nameKey(cert.subject);
      const same = bySubject.get(key);
      if (same) same.push(cert);
      else bySubject.set(key, [cert]);
    }
    return new TrustAnchors(all, bySubject, []);
  }

  /** These anchors and further ones (a chain's own self-signed top), each of which every validation is given. */
  including(certificates: readonly Uint8Array[]): TrustAnchors {
    return new TrustAnchors(this.read, this.bySubject, [...this.extra, ...certificates.flatMap((der) => tryReadPathCertificate(der) ?? [])]);
  }

  /** Every anchor: what looks beyond path building (the issuers of CRLs) is given all of them. */
  all(): PathCertificate[] {
    return [...this.read, ...this.extra];
  }

  /** The anchors path building could take for this leaf and these untrusted certificates. */
  candidatesFor(leaf: PathCertificate, untrusted: readonly PathCertificate[]): PathCertificate[] {
    const keys = new Set<string>([nameKey(leaf.subject), nameKey(leaf.issuer)]);
    for (const cert of untrusted) keys.add(nameKey(cert.issuer));
    return [...[...keys].flatMap((k) => this.bySubject.get(k) ?? []), ...this.extra];
  }
}
