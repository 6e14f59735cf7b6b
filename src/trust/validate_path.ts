import { InvalidArgumentError } from '../errors.js';
import type { WebCrypto } from '../crypto/provider.js';
import { contentKey } from '../crypto/digest.js';
import { bytesEqual, toHex } from '../lib/bytes.js';
import { addTo, groupBy } from '../lib/multimap.js';
import { CrlChecker } from '../revocation/crl_check.js';
import { readCrl } from '../revocation/crl_read.js';
import { OcspChecker, type OcspOptions } from '../revocation/ocsp_check.js';
import { revocationStatus, type RevocationSource } from '../revocation/revocation_source.js';
import { nameKey } from '../path/dn_match.js';
import { hostnameMatches, publicSuffixWildcard } from './hostname.js';
import { nameConstraintViolation } from '../path/name_constraints.js';
import { isSelfIssuedCert, readPathCertificate, tryReadPathCertificate, type GeneralName, type PathCertificate } from '../path/path_certificate.js';
import { issuerProblem, leafProfileProblem, leafTlsUsageProblem, purposeProblem, serialProblem, subjectOf, validityProblem, wellFormedProblem } from '../path/path_checks.js';
import { processPolicies, type PolicyOptions } from './policy_tree.js';
import { problem, type PathErrorCode, type PathProblem } from '../path/path_problem.js';
import { SignatureChecker } from '../path/path_signature.js';
import { strictProblem } from './strict_profile.js';
import { webpkiProblem } from './webpki_profile.js';
import { TrustAnchors } from './trust_anchors.js';

export type { PathErrorCode } from '../path/path_problem.js';

export interface PathValidationOptions {
  /**
   * Trust anchors (DER), or TrustAnchors read once for many validations: any of them may end a
   * path; their validity is checked, their signature is not.
   */
  trusted: readonly Uint8Array[] | TrustAnchors;
  /** Further certificates (DER) path building may use as intermediates. */
  untrusted?: readonly Uint8Array[];
  /** The DNS name or IP address the leaf must be for (subjectAltName only; the CN is never used). */
  hostname?: string;
  /** The leaf's extendedKeyUsage (and any intermediate's) must allow TLS server or client use. */
  purpose?: 'server' | 'client';
  /** Accept SHA-1 signatures on certificates (and CRLs) above the trust anchor; MD5 is never accepted. */
  allowSha1?: boolean;
  /** RFC 5280 policy inputs (initial policy set, explicit policy, mapping and anyPolicy inhibition). */
  policy?: PolicyOptions;
  /** CRLs (DER) to check every certificate of the path against (RFC 5280 6.3); no revocation checking without them. */
  crls?: readonly Uint8Array[];
  /** With `crls`: a certificate whose status they do not establish fails the path (ERR_REVOCATION_UNKNOWN) instead of being reported. */
  crlRequired?: boolean;
  /**
   * OCSP (RFC 6960) for every certificate below the anchor, asked after the CRLs when they leave
   * a status undetermined: responses at hand (stapled) and, with `fetch`, the responders named in
   * authorityInfoAccess. A response that cannot be had or trusted fails the path with its code.
   */
  ocsp?: OcspOptions;
  /**
   * 'rfc5280' (default): RFC 5280 alone, as private PKIs need. 'webpki': also the CA/Browser
   * Forum profile of publicly trusted certificates (subscriber certificates with a non-critical
   * extendedKeyUsage without anyExtendedKeyUsage, never a CA; the commonName a copy of a SAN; no
   * critical SAN beside a subject; roots without extendedKeyUsage, any authorityKeyIdentifier
   * only their own key identifier).
   */
  profile?: 'rfc5280' | 'webpki';
  /** RFC 5280's requirements on issuing CAs over the whole path, the anchor included (key identifiers, critical extensions, serials), as openssl -x509_strict. */
  strict?: boolean;
  /** The time to validate at (default: now). */
  at?: Date;
  /** Most CA certificates between leaf and anchor, self-issued ones not counted (default 8). */
  maxIntermediates?: number;
}

export interface PathValidationResult {
  valid: boolean;
  code?: PathErrorCode;
  /** One line, for people. */
  reason?: string;
  /** Leaf first, ending at the trust anchor when one was reached (the failing path's certificates otherwise). */
  chain: Uint8Array[];
  /** For a valid path: the certificate policies (OIDs) it is valid for, within the initial policy set ('2.5.29.32.0' is anyPolicy); absent when the path asserts none. */
  validPolicies?: string[];
  /** With `crls` or `ocsp`: each certificate's revocation status, leaf first (the anchor is not checked). */
  revocation?: CertificateRevocation[];
}

export interface CertificateRevocation {
  subject: string;
  status: 'good' | 'revoked' | 'undetermined';
  /** Why undetermined, or the revocation reason. */
  detail?: string;
}

/** A bound on the certificates in a path, self-issued ones included, so that no search runs long. */
const MAX_PATH_LENGTH = 12;
/** A bound on the issuer candidates examined in all, against graphs built to explode path search. */
const MAX_ATTEMPTS = 200;
/**
 * A bound on the candidates tried that cannot lead to a trust anchor by names and key identifiers
 * (limbo's pathological chains: a hundred CAs of one subject, none under a trusted one). They are
 * tried only to tell why no path exists, so a few are enough; each costs a signature check.
 */
const MAX_DEAD_END_ATTEMPTS = 8;
const DEFAULT_MAX_INTERMEDIATES = 8;

/**
 * X.509 certification path validation (RFC 5280 section 6, with the web PKI's host name rules).
 * Builds paths from the leaf through `untrusted` to any certificate in `trusted`, by issuer name
 * (and key identifiers), backtracking to the next candidate when one fails, and returns the first
 * path that passes every check; a leaf that is itself trusted is valid on its own (direct trust of
 * a self-signed peer). Never throws for an invalid path; throws KeystoreFormatError only for a leaf
 * that is not a certificate. Unreadable trusted or untrusted certificates are left out.
 */
export async function validatePath(leaf: Uint8Array, options: PathValidationOptions, _crypto?: WebCrypto): Promise<PathValidationResult> {
  if (!(leaf instanceof Uint8Array)) throw new TypeError('validatePath: leaf must be a Uint8Array');
  if (!options || !(Array.isArray(options.trusted) || options.trusted instanceof TrustAnchors)) throw new TypeError('validatePath: options.trusted must be an array of certificates');
  const at = options.at ?? new Date();
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('validatePath: options.at is not a valid date');
  const maxIntermediates = options.maxIntermediates ?? DEFAULT_MAX_INTERMEDIATES;
  const leafCert = readPathCertificate(leaf);
  const fail = (p: PathProblem, chain: readonly PathCertificate[]): PathValidationResult => ({ valid: false, code: p.code, reason: p.reason, chain: chain.map((c) => c.der) });

  const leafProblem = wellFormedProblem(leafCert) ?? leafProfileProblem(leafCert);
  if (leafProblem) return fail(leafProblem, [leafCert]);

  const untrusted = readAll(options.untrusted ?? []);
  // a list is indexed as TrustAnchors too: only the anchors path building may take are read in full
  const prepared = options.trusted instanceof TrustAnchors ? options.trusted : TrustAnchors.read(options.trusted);
  const anchors = prepared.candidatesFor(leafCert, untrusted);
  const directlyTrusted = anchors.some((a) => bytesEqual(a.der, leaf));
  let path: PathCertificate[] = [leafCert];
  // a directly trusted leaf has no path to process policies over
  let validPolicies: string[] = [];
  let revocation: CertificateRevocation[] | undefined;
  if (directlyTrusted && options.strict) {
    const strict = strictProblem([leafCert]);
    if (strict) return fail(strict, [leafCert]);
  }
  if (!directlyTrusted) {
    const serial = serialProblem(leafCert);
    if (serial) return fail(serial, [leafCert]);
    const signatures = new SignatureChecker({ allowSha1: options.allowSha1 ?? false });
    const pool = (): PathCertificate[] => [...prepared.all(), ...untrusted];
    const search = new PathSearch(anchors, untrusted, at, options.purpose, maxIntermediates, signatures, options.policy ?? {}, revocationSources(options, pool, at, signatures), options.profile === 'webpki', options.strict ?? false);
    const found = await search.from(leafCert);
    validPolicies = search.validPolicies;
    revocation = search.revocation;
    if (!found) {
      const best = search.best ?? { problem: problem('ERR_CHAIN_UNTRUSTED', `no path from "${subjectOf(leafCert)}" to a trusted certificate`), chain: [leafCert] };
      return fail(best.problem, best.chain);
    }
    path = found;
  }
  const endProblem = validityProblem(leafCert, at) ?? purposeProblem(leafCert, options.purpose) ?? leafTlsUsageProblem(leafCert, options.purpose) ?? hostnameProblem(leafCert, options.hostname);
  if (endProblem) return fail(endProblem, path);
  return { valid: true, chain: path.map((c) => c.der), ...(validPolicies.length > 0 ? { validPolicies } : {}), ...(revocation ? { revocation } : {}) };
}

interface Failure {
  /** 1: no issuer found, 2: an issuer candidate failed, 3: a whole path to an anchor failed. */
  rank: number;
  problem: PathProblem;
  chain: PathCertificate[];
}

/** Depth-first path building with backtracking; remembers the most telling failure. */
class PathSearch {
  best: Failure | undefined;
  validPolicies: string[] = [];
  revocation: CertificateRevocation[] | undefined;
  private attempts = 0;
  private deadEnds = 0;
  private readonly anchorSet: Set<PathCertificate>;
  /** The anchors (first) and the untrusted certificates, by subject name: the issuer candidates of a certificate. */
  private readonly bySubject: Map<string, PathCertificate[]>;
  /** The anchors and the certificates from which a chain of names and key identifiers leads to one. */
  private readonly reaching: Set<PathCertificate>;

  constructor(
    anchors: PathCertificate[],
    untrusted: PathCertificate[],
    private readonly at: Date,
    private readonly purpose: 'server' | 'client' | undefined,
    private readonly maxIntermediates: number,
    private readonly signatures: SignatureChecker,
    private readonly policy: PolicyOptions,
    private readonly revocationCheck: { sources: RevocationSource[]; required: boolean } | undefined,
    private readonly webpki: boolean,
    private readonly strict: boolean,
  ) {
    this.anchorSet = new Set(anchors);
    // anchors first, so the shortest path to a trusted certificate is tried before longer ones
    const trusted = new Set(anchors.map((a) => contentKey(a.der)));
    const pool = [...anchors, ...untrusted.filter((u) => !trusted.has(contentKey(u.der)))];
    this.bySubject = groupBy(pool, (c) => nameKey(c.subject));
    this.reaching = reachingAnchors(anchors, pool);
  }

  async from(leaf: PathCertificate): Promise<PathCertificate[] | undefined> {
    return this.extend([leaf]);
  }

  private note(rank: number, p: PathProblem, chain: PathCertificate[]): void {
    if (!this.best || rank > this.best.rank) this.best = { rank, problem: p, chain };
  }

  private async extend(path: PathCertificate[]): Promise<PathCertificate[] | undefined> {
    const current = path[path.length - 1]!;
    if (path.length >= MAX_PATH_LENGTH) {
      this.note(1, problem('ERR_CHAIN_UNTRUSTED', `no trusted certificate within ${MAX_PATH_LENGTH} certificates of the leaf`), path);
      return undefined;
    }
    // every certificate named as the issuer, in turn (a store of thousands of one name is walked, not copied)
    let candidates = 0;
    for (const candidate of this.bySubject.get(nameKey(current.issuer)) ?? []) {
      if (path.some((p) => p === candidate || bytesEqual(p.der, candidate.der)) || !keyIdsAgree(current, candidate)) continue;
      candidates++;
      // no path goes through it: tried only (and only so often) for the reason a failure gives
      if (!this.reaching.has(candidate) && ++this.deadEnds > MAX_DEAD_END_ATTEMPTS) continue;
      if (++this.attempts > MAX_ATTEMPTS) {
        this.note(1, problem('ERR_CHAIN_UNTRUSTED', `gave up building a path after ${MAX_ATTEMPTS} candidate issuers`), path);
        return undefined;
      }
      const isAnchor = this.anchorSet.has(candidate);
      const next = [...path, candidate];
      const local = wellFormedProblem(candidate) ?? (isAnchor ? undefined : serialProblem(candidate)) ?? issuerProblem(candidate, isAnchor) ?? validityProblem(candidate, this.at);
      if (local) {
        this.note(2, local, next);
        continue;
      }
      const signature = signatureProblem(this.signatures, current, candidate);
      if (signature) {
        this.note(2, signature, next);
        continue;
      }
      if (isAnchor) {
        const whole = await this.pathProblem(next);
        if (!whole) return next;
        this.note(3, whole, next);
        continue;
      }
      const done = await this.extend(next);
      if (done) return done;
    }
    if (candidates === 0) this.note(1, problem('ERR_CHAIN_UNTRUSTED', `no trusted issuer found for "${subjectOf(current)}"`), path);
    return undefined;
  }

  /** The checks that need the whole path (leaf first, anchor last): lengths, name constraints, purposes. */
  private async pathProblem(path: PathCertificate[]): Promise<PathProblem | undefined> {
    const anchor = path.length - 1;
    let remaining = Number.POSITIVE_INFINITY;
    let intermediates = 0;
    // RFC 5280 6.1.4 (l) and (m): from the anchor down, self-issued CAs do not use up pathLen
    for (let i = anchor; i >= 1; i--) {
      const ca = path[i]!;
      if (i !== anchor && !isSelfIssuedCert(ca)) {
        if (remaining <= 0) return problem('ERR_PATHLEN', `path length constraint exceeded: "${subjectOf(ca)}" is one CA too many below a pathLenConstraint`);
        remaining--;
        intermediates++;
      }
      const pathLen = ca.basicConstraints?.pathLen;
      if (pathLen !== undefined) remaining = Math.min(remaining, pathLen);
    }
    if (intermediates > this.maxIntermediates) return problem('ERR_PATHLEN', `the path has ${intermediates} intermediate CAs, more than the ${this.maxIntermediates} allowed`);
    // RFC 5280 6.1.3 (b), (c): each CA's constraints bind every certificate below it, except self-issued CAs
    for (let i = anchor; i >= 1; i--) {
      const nc = path[i]!.nameConstraints;
      if (!nc) continue;
      for (let j = i - 1; j >= 0; j--) {
        const below = path[j]!;
        if (j > 0 && isSelfIssuedCert(below)) continue;
        const violation = nameConstraintViolation(nc, below);
        if (violation) return problem('ERR_NAME_CONSTRAINTS', `certificate "${subjectOf(below)}": ${violation} of "${subjectOf(path[i]!)}"`);
      }
    }
    for (let i = 1; i < anchor; i++) {
      const p = purposeProblem(path[i]!, this.purpose);
      if (p) return p;
    }
    if (this.strict) {
      const strict = strictProblem(path);
      if (strict) return strict;
    }
    if (this.webpki) {
      const profile = webpkiProblem(path);
      if (profile) return profile;
    }
    const policies = processPolicies(path.slice(0, anchor).reverse(), this.policy, subjectOf);
    if ('problem' in policies) return policies.problem;
    if (this.revocationCheck) {
      const statuses: CertificateRevocation[] = [];
      for (let i = 0; i < anchor; i++) {
        const cert = path[i]!;
        const s = await revocationStatus(this.revocationCheck.sources, cert, path.slice(i + 1));
        if (s.status === 'revoked') return problem('ERR_REVOKED', `certificate "${subjectOf(cert)}" was revoked on ${s.revokedAt.toISOString()} (${s.reason})`);
        if (s.status === 'failed') return problem(s.code, `the revocation status of "${subjectOf(cert)}": ${s.why}`);
        if (s.status === 'undetermined' && this.revocationCheck.required) return problem('ERR_REVOCATION_UNKNOWN', `the revocation status of "${subjectOf(cert)}" is unknown: ${s.why}`);
        statuses.push({ subject: subjectOf(cert), status: s.status, ...(s.status === 'undetermined' ? { detail: s.why } : {}) });
      }
      this.revocation = statuses;
    }
    this.validPolicies = policies.policies;
    return undefined;
  }
}

/** The revocation sources the options ask for, CRLs first (no network), then OCSP; undefined for none. */
/** `pool`: the certificates a CRL's issuer is looked for among (every anchor and untrusted certificate). */
function revocationSources(options: PathValidationOptions, pool: () => PathCertificate[], at: Date, signatures: SignatureChecker): { sources: RevocationSource[]; required: boolean } | undefined {
  const sources: RevocationSource[] = [];
  const crls = options.crls === undefined ? undefined : new CrlChecker(options.crls.map(readCrl), pool(), at, signatures);
  if (crls) sources.push(crls);
  if (options.ocsp) sources.push(new OcspChecker(options.ocsp, { at, signatures, ...(crls ? { responderStatus: (cert, above) => crls.status(cert, above) } : {}) }));
  if (sources.length === 0) return undefined;
  return { sources, required: (crls !== undefined && (options.crlRequired ?? false)) || (options.ocsp?.required ?? false) };
}

/**
 * The certificates of the pool from which a path can reach an anchor, judged by issuer names and
 * key identifiers alone (what path building follows, before any signature): the anchors, and by
 * breadth-first search the certificates whose issuer is one of them. A superset of the
 * certificates on any path search can find, at the cost of one name key per certificate.
 */
function reachingAnchors(anchors: readonly PathCertificate[], pool: readonly PathCertificate[]): Set<PathCertificate> {
  // by issuer name, then by authorityKeyIdentifier ('' for none): the certificates an issuer's key identifier agrees with
  const byIssuer = new Map<string, Map<string, PathCertificate[]>>();
  for (const c of pool) {
    const name = nameKey(c.issuer);
    const groups = byIssuer.get(name) ?? new Map<string, PathCertificate[]>();
    byIssuer.set(name, groups);
    addTo(groups, c.authorityKeyId ? toHex(c.authorityKeyId) : '', c);
  }
  const reaching = new Set<PathCertificate>(anchors);
  const queue = [...anchors];
  for (let issuer = queue.pop(); issuer; issuer = queue.pop()) {
    const groups = byIssuer.get(nameKey(issuer.subject));
    if (!groups) continue;
    // those without an authorityKeyIdentifier and those naming its key; all of them when it names none (keyIdsAgree)
    const agreeing = issuer.subjectKeyId ? ['', toHex(issuer.subjectKeyId)] : [...groups.keys()];
    for (const aki of agreeing) {
      const group = groups.get(aki);
      if (!group) continue;
      // each group is taken once: every certificate in it reaches an anchor from now on, whichever issuer comes next
      groups.delete(aki);
      for (const c of group) {
        if (reaching.has(c)) continue;
        reaching.add(c);
        queue.push(c);
      }
    }
  }
  return reaching;
}

/** A candidate whose subjectKeyIdentifier differs from the child's authorityKeyIdentifier is not its issuer. */
function keyIdsAgree(child: PathCertificate, candidate: PathCertificate): boolean {
  return !child.authorityKeyId || !candidate.subjectKeyId || bytesEqual(child.authorityKeyId, candidate.subjectKeyId);
}

/** Why `issuer`'s key does not vouch for `cert`: a wrong signature, a weak hash, DSA, an unknown algorithm. */
export function signatureProblem(checker: SignatureChecker, cert: PathCertificate, issuer: PathCertificate): PathProblem | undefined {
  const verdict = checker.verify(cert, issuer.spki);
  if (verdict === 'ok') return undefined;
  const on = `the signature on "${subjectOf(cert)}"`;
  const algorithm = checker.algorithm(cert).name;
  switch (verdict) {
    case 'weak':
      return problem('ERR_WEAK_SIGNATURE', `${on} uses ${algorithm}, which hapki does not accept${algorithm.includes('SHA1') || algorithm.includes('sha1') || algorithm.includes('SHA-1') ? ' (verify --allow-sha1 accepts SHA-1)' : ''}`);
    case 'dsa':
      return problem('ERR_WEAK_KEY', `${on} is a DSA signature (${algorithm}); hapki does not accept DSA`);
    case 'unsupported':
      return problem('ERR_CHAIN_SIGNATURE', `${on} uses ${algorithm}, which hapki cannot check`);
    default:
      return problem('ERR_CHAIN_SIGNATURE', `${on} does not verify with the key of "${subjectOf(issuer)}"`);
  }
}

function readAll(certificates: readonly Uint8Array[]): PathCertificate[] {
  const out: PathCertificate[] = [];
  for (const der of certificates) {
    const cert = tryReadPathCertificate(der);
    if (cert) out.push(cert);
  }
  return out;
}

function hostnameProblem(leaf: PathCertificate, hostname: string | undefined): PathProblem | undefined {
  if (hostname === undefined || hostnameMatches(leaf.subjectAltNames, hostname)) return undefined;
  const names = (leaf.subjectAltNames ?? []).filter((n) => n.type === 'dns' || n.type === 'ip').map(showName);
  const suffix = publicSuffixWildcard(leaf.subjectAltNames, hostname);
  const has = suffix !== undefined ? `its wildcard ${showName({ type: 'dns', value: suffix })} covers a public suffix, which no certificate may` : names.length === 0 ? 'it has no DNS or IP subjectAltName' : `its names: ${names.join(', ')}`;
  return problem('ERR_HOSTNAME_MISMATCH', `certificate "${subjectOf(leaf)}" is not for host "${hostname}" (${has})`);
}

function showName(name: GeneralName): string {
  if (name.type === 'dns') return `DNS:${name.value}`;
  if (name.type === 'ip') return `IP:${name.value.length === 4 ? name.value.join('.') : Buffer.from(name.value).toString('hex').replace(/(.{4})(?!$)/g, '$1:')}`;
  return name.type;
}
