import { contentKey } from '../crypto/digest.js';
import { addTo } from '../lib/multimap.js';
import { nameKey, rdnCount } from '../path/dn_match.js';
import { certificateNames } from '../cert/names.js';
import { tryReadPathCertificate, type PathCertificate } from '../path/path_certificate.js';

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
    private readonly read: readonly Anchor[],
    private readonly bySubject: ReadonlyMap<string, readonly Anchor[]>,
    /** How many RDNs the anchors' subjects have: a name of another length matches none of them. */
    private readonly subjectLengths: ReadonlySet<number>,
    private readonly extra: readonly PathCertificate[],
  ) {}

  /**
   * Indexes the anchors (DER) by subject; each is read in full only when a validation may take
   * it, so a store of 100,000 trusted certificates costs its names, not 100,000 parsed
   * certificates. Unreadable ones are left out, as validatePath leaves them out.
   */
  static read(certificates: readonly Uint8Array[]): TrustAnchors {
    const seen = new Set<string>();
    const all: Anchor[] = [];
    const bySubject = new Map<string, Anchor[]>();
    const subjectLengths = new Set<number>();
    for (const der of certificates) {
      // what is no bytes at all is unreadable too (validatePath hands any caller's list here)
      if (!(der instanceof Uint8Array)) continue;
      const digest = contentKey(der);
      if (seen.has(digest)) continue;
      seen.add(digest);
      const anchor: Anchor = { der };
      const subject = subjectOf(anchor);
      if (!subject) continue;
      all.push(anchor);
      addTo(bySubject, nameKey(subject), anchor);
      subjectLengths.add(rdnCount(subject));
    }
    return new TrustAnchors(all, bySubject, subjectLengths, []);
  }

  /** These anchors and further ones (a chain's own self-signed top), each of which every validation is given. */
  including(certificates: readonly Uint8Array[]): TrustAnchors {
    return new TrustAnchors(this.read, this.bySubject, this.subjectLengths, [...this.extra, ...certificates.flatMap((der) => tryReadPathCertificate(der) ?? [])]);
  }

  /** Every anchor: what looks beyond path building (the issuers of CRLs) is given all of them. */
  all(): PathCertificate[] {
    return [...parsed(this.read), ...this.extra];
  }

  /** The anchors path building could take for this leaf and these untrusted certificates. */
  candidatesFor(leaf: PathCertificate, untrusted: readonly PathCertificate[]): PathCertificate[] {
    const keys = new Set<string>([nameKey(leaf.issuer)]);
    // the leaf's own name, for a leaf trusted directly; not worked out for a name no anchor's could match
    // (a leaf built with thousands of RDNs costs their string preparation only where it can matter)
    if (this.subjectLengths.has(rdnCount(leaf.subject))) keys.add(nameKey(leaf.subject));
    for (const cert of untrusted) keys.add(nameKey(cert.issuer));
    return [...parsed([...keys].flatMap((k) => this.bySubject.get(k) ?? [])), ...this.extra];
  }
}

/** An anchor as indexed, and in full once a validation asked for it (null: unreadable). */
interface Anchor {
  readonly der: Uint8Array;
  cert?: PathCertificate | null;
}

/** The anchor's subject, read alone; where that reader refuses it, from the whole certificate (undefined: unreadable). */
function subjectOf(anchor: Anchor): Uint8Array | undefined {
  try {
    return certificateNames(anchor.der).subject;
  } catch {
    anchor.cert = tryReadPathCertificate(anchor.der) ?? null;
    return anchor.cert?.subject;
  }
}

function parsed(anchors: readonly Anchor[]): PathCertificate[] {
  const out: PathCertificate[] = [];
  for (const a of anchors) {
    if (a.cert === undefined) a.cert = tryReadPathCertificate(a.der) ?? null;
    if (a.cert) out.push(a.cert);
  }
  return out;
}
