import { sequence } from '../asn1/der_writer.js';
import { readDer } from '../asn1/der_reader.js';
import { toHex } from '../lib/bytes.js';
import { namesMatch } from '../path/dn_match.js';
import { CRL_SIGN, type DistributionPoint, type GeneralName, type PathCertificate } from '../path/path_certificate.js';
import { subjectOf, validityProblem } from '../path/path_checks.js';
import type { SignatureChecker } from '../path/path_signature.js';
import type { Crl } from './crl_read.js';
import type { RevocationSource, RevocationStatus } from './revocation_source.js';

export type { RevocationStatus } from './revocation_source.js';

/** ReasonFlags bits 1 (keyCompromise) to 8 (aACompromise): what a complete set of CRLs covers. */
const ALL_REASONS = 0x1fe;
const REMOVE_FROM_CRL = 8;
export const CRL_REASON_NAMES = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '(7)', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];
/** How deep a separate CRL signer's own status is followed (its signer's signer ...). */
const MAX_SIGNER_DEPTH = 2;

/**
 * CRL checking per RFC 5280 6.3 over given CRLs: for a certificate and the chain above it (its
 * issuer first, the trust anchor last), finds the complete CRLs in scope (issuer or indirect
 * cRLIssuer, issuingDistributionPoint names and certificate kinds, reason partitions), each one
 * current at `at`, free of unknown critical extensions and signed by the issuer's key or by a
 * separate CRL signer certified by the path with cRLSign, applies delta CRLs, and decides
 * revoked, good (all reasons covered), or undetermined, with why.
 */
export class CrlChecker implements RevocationSource {
  constructor(
    private readonly crls: readonly Crl[],
    /** Certificates that may be separate CRL signers. */
    private readonly pool: readonly PathCertificate[],
    private readonly at: Date,
    private readonly signatures: SignatureChecker,
  ) {}

  /**
   * `above`: the issuer of `cert` first, the trust anchor last. `signers` holds the separate CRL
   * signers whose own status is being established, so a CRL that covers its own signer is used
   * for it instead of recursing without end.
   */
  status(cert: PathCertificate, above: readonly PathCertificate[], signers: ReadonlySet<PathCertificate> = new Set()): RevocationStatus {
    const dps: (DistributionPoint | undefined)[] = cert.crlDistributionPoints?.length ? cert.crlDistributionPoints : [undefined];
    let covered = 0;
    const problems: string[] = [];
    for (const crl of this.crls) {
      if (crl.deltaBase !== undefined) continue;
      for (const dp of dps) {
        if (covered === ALL_REASONS) break;
        const scope = inScope(crl, cert, dp);
        if (scope === 0 || (scope & ~covered) === 0) continue;
        const unusable = this.unusable(crl, cert, above, signers);
        if (unusable) {
          problems.push(unusable);
          continue;
        }
        const delta = this.deltaFor(crl, cert, dp, above, signers, problems);
        const entry = findEntry(delta, cert) ?? findEntry(crl, cert);
        if (entry && entry.reason !== REMOVE_FROM_CRL) {
          return { status: 'revoked', reason: CRL_REASON_NAMES[entry.reason ?? 0] ?? `reason ${entry.reason}`, revokedAt: entry.revokedAt };
        }
        covered |= scope;
      }
    }
    if (covered === ALL_REASONS) return { status: 'good' };
    const why = problems.length > 0 ? problems[0]! : covered === 0 ? 'no CRL given covers it' : 'the CRLs given do not cover every revocation reason';
    return { status: 'undetermined', why };
  }

  /** Why `crl` cannot be relied on for `cert` (issued by above[0]), or undefined when it can. */
  private unusable(crl: Crl, cert: PathCertificate, above: readonly PathCertificate[], signers: ReadonlySet<PathCertificate>): string | undefined {
    const label = `the CRL of "${subjectOf(above[0]!)}"`;
    if (crl.unusable) return `${label} is unusable: ${crl.unusable}`;
    if (crl.crlNumber === undefined) return `${label} has no cRLNumber, which RFC 5280 requires`;
    const t = Math.floor(this.at.getTime() / 1000) * 1000;
    if (crl.thisUpdate.getTime() > t) return `${label} is not valid before ${crl.thisUpdate.toISOString()}`;
    if (crl.nextUpdate && crl.nextUpdate.getTime() < t) return `${label} is out of date (nextUpdate ${crl.nextUpdate.toISOString()})`;
    const signer = this.signerProblem(crl, cert, above, signers);
    return signer ? `${label}: ${signer}` : undefined;
  }

  /** The CRL must verify under the issuer's key, or under a CRL signer the path certifies. */
  private signerProblem(crl: Crl, cert: PathCertificate, above: readonly PathCertificate[], signers: ReadonlySet<PathCertificate>): string | undefined {
    const issuer = above[0]!;
    const candidates: { signer: PathCertificate; chain: readonly PathCertificate[] | undefined }[] = [];
    if (namesMatch(crl.issuer, issuer.subject)) candidates.push({ signer: issuer, chain: undefined });
    for (const other of this.pool) {
      if (other === issuer || (other === cert && !signers.has(cert)) || !namesMatch(crl.issuer, other.subject)) continue;
      // a separate signer must be certified by a CA of this path (the issuer or one above it)
      const at = above.findIndex((ca) => namesMatch(other.issuer, ca.subject) && this.signatures.verify(other, ca.spki) === 'ok');
      if (at >= 0) candidates.push({ signer: other, chain: above.slice(at) });
    }
    if (candidates.length === 0) return 'no certificate of the path or the pool can have signed it';
    let last = 'its signature does not verify';
    for (const { signer, chain } of candidates) {
      if (signer.keyUsage && !signer.keyUsage.has(CRL_SIGN)) {
        last = `the CRL signer "${subjectOf(signer)}" lacks the cRLSign key usage`;
        continue;
      }
      const verdict = this.signatures.verify(crl, signer.spki);
      if (verdict === 'weak') {
        last = `it is signed with ${this.signatures.algorithm(crl).name}, which hapki does not accept`;
        continue;
      }
      if (verdict !== 'ok') continue;
      if (chain) {
        // the separate signer must itself be valid and not revoked
        if (validityProblem(signer, this.at)) {
          last = `the CRL signer "${subjectOf(signer)}" is not valid at the validation time`;
          continue;
        }
        if (signers.has(signer)) return undefined;
        if (signers.size >= MAX_SIGNER_DEPTH) {
          last = 'its CRL signers are nested too deep';
          continue;
        }
        const own = this.status(signer, chain, new Set([...signers, signer]));
        if (own.status !== 'good') {
          last = `the CRL signer "${subjectOf(signer)}" is ${own.status === 'revoked' ? 'revoked' : 'of undetermined status'}`;
          continue;
        }
      }
      return undefined;
    }
    return last;
  }

  /** A usable delta CRL that updates `base` for the same scope, if one was given. */
  private deltaFor(base: Crl, cert: PathCertificate, dp: DistributionPoint | undefined, above: readonly PathCertificate[], signers: ReadonlySet<PathCertificate>, problems: string[]): Crl | undefined {
    let best: Crl | undefined;
    for (const delta of this.crls) {
      if (delta.deltaBase === undefined || !namesMatch(delta.issuer, base.issuer) || inScope(delta, cert, dp) === 0) continue;
      if (base.crlNumber === undefined || delta.deltaBase > base.crlNumber || delta.crlNumber === undefined || delta.crlNumber <= base.crlNumber) continue;
      const unusable = this.unusable(delta, cert, above, signers);
      if (unusable) {
        problems.push(unusable.replace('the CRL', 'the delta CRL'));
        continue;
      }
      if (!best || delta.crlNumber > best.crlNumber!) best = delta;
    }
    return best;
  }
}

/** The reasons (mask) for which `crl` speaks about `cert` through distribution point `dp`; 0 when out of scope. */
function inScope(crl: Crl, cert: PathCertificate, dp: DistributionPoint | undefined): number {
  const idp = crl.idp;
  // (b)(1): who issued the CRL: the certificate's issuer, or the cRLIssuer its distribution point
  // names (then the CRL must say it is indirect). An indirect CRL from anyone else says nothing
  // about the certificate: its issuer never delegated to it (a leaf of the same CA without a
  // keyUsage extension could otherwise revoke, or vouch for, every certificate of that CA).
  if (dp?.cRLIssuer) {
    if (!idp?.indirect || !dp.cRLIssuer.some((n) => n.type === 'dn' && namesMatch(n.value, crl.issuer))) return 0;
  } else if (!namesMatch(crl.issuer, cert.issuer)) {
    return 0;
  }
  if (idp) {
    // (b)(2)(i): distribution point names
    const idpNames = pointNames(idp, crl.issuer);
    if (idpNames) {
      const dpNames = dp ? (pointNames(dp, dp.cRLIssuer?.find((n) => n.type === 'dn')?.value ?? cert.issuer) ?? dp.cRLIssuer) : undefined;
      if (!dpNames || !dpNames.some((a) => idpNames.some((b) => sameName(a, b)))) return 0;
    }
    // (b)(2)(ii)-(iv): kinds of certificates
    const isCa = cert.basicConstraints?.ca ?? false;
    if ((idp.onlyUserCerts && isCa) || (idp.onlyCaCerts && !isCa) || idp.onlyAttributeCerts) return 0;
  }
  return (idp?.reasons ?? ALL_REASONS) & (dp?.reasons ?? ALL_REASONS) & ALL_REASONS;
}

/** The full names of a distribution point, a relative name joined to the CRL issuer's name. */
function pointNames(dp: DistributionPoint, issuer: Uint8Array): GeneralName[] | undefined {
  if (dp.names) return dp.names;
  if (dp.relativeName) {
    try {
      const rdns = readDer(issuer, 'Name').children.map((r) => r.encoded);
      const rdn = readDer(dp.relativeName, 'nameRelativeToCRLIssuer');
      // the [1] IMPLICIT tag stands in for the SET tag
      const set = new Uint8Array(rdn.encoded);
      set[0] = 0x31;
      return [{ type: 'dn', value: sequence(...rdns, set) }];
    } catch {
      return [];
    }
  }
  return undefined;
}

function sameName(a: GeneralName, b: GeneralName): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'dn' && b.type === 'dn') return namesMatch(a.value, b.value);
  if ((a.type === 'uri' || a.type === 'dns' || a.type === 'email') && a.type === b.type) return a.value === b.value;
  return toHex(a.value as Uint8Array) === toHex(b.value as Uint8Array);
}

function findEntry(crl: Crl | undefined, cert: PathCertificate): { reason?: number; revokedAt: Date } | undefined {
  if (!crl) return undefined;
  const entries = crl.entries.get(toHex(cert.serial));
  if (!entries) return undefined;
  return entries.find((e) => (e.certificateIssuer ? e.certificateIssuer.some((n) => n.type === 'dn' && namesMatch(n.value, cert.issuer)) : namesMatch(crl.issuer, cert.issuer)));
}
