import { HapkiError } from '../errors.js';
import { sha256Hex } from '../crypto/digest.js';
import { bytesEqual } from '../lib/bytes.js';
import { CrlChecker } from '../revocation/crl_check.js';
import { crlUrlsOf, DEFAULT_CRL_FETCH_TIMEOUT_MS, fetchCrl } from '../revocation/crl_fetch.js';
import { readCrl, type Crl } from '../revocation/crl_read.js';
import { OcspChecker } from '../revocation/ocsp_check.js';
import { revocationStatus, type RevocationSource, type RevocationStatus } from '../revocation/revocation_source.js';
import { nameKey, namesMatch, nameText } from '../path/dn_match.js';
import { isSelfIssuedCert, tryReadPathCertificate, type PathCertificate } from '../path/path_certificate.js';
import { SignatureChecker } from '../path/path_signature.js';

/** The whole of an audit's revocation checking, every fetch and query included, unless told otherwise. */
export const DEFAULT_REVOCATION_DEADLINE_MS = 60_000;
/** At most this many CRL distribution points are fetched in one audit. */
export const MAX_AUDIT_CRL_URLS = 32;
/** How many issuers above a certificate are looked for among the audited certificates. */
const MAX_ISSUERS = 8;

export interface AuditRevocationOptions {
  at: Date;
  /** Given CRLs (--crl), parsed. */
  crls: readonly Crl[];
  /** Fetch the CRLs of the audited certificates' http:// distribution points, each URL once. */
  crlFetch?: boolean;
  /** Ask each certificate's OCSP responder (authorityInfoAccess, http://), each certificate once. */
  ocsp?: boolean;
  /** Per CRL fetch or OCSP query (default 10 s). */
  fetchTimeoutMs?: number;
  /** For all fetches and queries together (default 60 s): what is not done by then fails. */
  deadlineMs?: number;
}

export interface AuditRevocation {
  /** By certificate (sha256 of its DER); self-issued certificates (anchors) are not checked. */
  statuses: Map<string, RevocationStatus>;
  /** What could not be fetched or read: a CRL distribution point (URL). */
  failures: { source: string; code: string; message: string }[];
}

/**
 * The revocation status of every audited certificate through the same sources path validation
 * uses (src/revocation: CRLs first, then OCSP), at the audit time. A certificate's issuer is the
 * audited certificate whose key verifies its signature; without one, its status is undetermined.
 * Network use is opt-in, bounded per query and by one deadline for the whole audit; a failure is
 * a status or a failure entry, never an exception.
 */
export async function auditRevocation(certificates: readonly Uint8Array[], options: AuditRevocationOptions): Promise<AuditRevocation> {
  const deadlineMs = options.deadlineMs ?? DEFAULT_REVOCATION_DEADLINE_MS;
  const deadline = Date.now() + deadlineMs;
  const left = (): number => deadline - Date.now();
  // ends whatever fetch or query is still running when the deadline comes
  const signal = AbortSignal.timeout(Math.max(1, deadlineMs));
  const fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_CRL_FETCH_TIMEOUT_MS;
  const pool = unique(certificates);
  const failures: AuditRevocation['failures'] = [];
  const crls = [...options.crls];
  if (options.crlFetch) {
    const urls = crlUrlsOf(pool.map((c) => c.der));
    for (const [i, url] of urls.entries()) {
      const shown = showUrl(url);
      if (i >= MAX_AUDIT_CRL_URLS) {
        failures.push({ source: shown, code: 'ERR_CRL_FETCH', message: `not fetched: an audit fetches at most ${MAX_AUDIT_CRL_URLS} CRL distribution points` });
        continue;
      }
      if (left() <= 0) {
        failures.push({ source: shown, code: 'ERR_CRL_FETCH', message: 'not fetched: the revocation deadline passed' });
        continue;
      }
      try {
        for (const der of await fetchCrl(url, { timeoutMs: fetchTimeoutMs, signal })) crls.push(readCrl(der));
      } catch (error) {
        if (!(error instanceof HapkiError)) throw error;
        failures.push({ source: shown, code: error.code, message: error.message });
      }
    }
  }

  // a stale CRL is not relied on for "good" (as in verify); a monitoring job must hear that it went stale
  const stale: Crl[] = [];
  for (const crl of crls) {
    if (crl.nextUpdate && crl.nextUpdate.getTime() < options.at.getTime()) {
      stale.push(crl);
      failures.push({ source: `the CRL of "${nameText(crl.issuer, 16)}"`, code: 'ERR_REVOCATION_UNKNOWN', message: `out of date since ${crl.nextUpdate.toISOString()}: a certificate it does not list as revoked is not known to be good` });
    }
  }
  const signatures = new SignatureChecker({ allowSha1: false });
  const sources: RevocationSource[] = [];
  const crlChecker = crls.length > 0 || options.crlFetch ? new CrlChecker(crls, pool, options.at, signatures) : undefined;
  if (crlChecker) sources.push(crlChecker);
  if (options.ocsp) {
    const ocsp = new OcspChecker({ fetch: true, timeoutMs: fetchTimeoutMs, signal }, { at: options.at, signatures, ...(crlChecker ? { responderStatus: (cert, above) => crlChecker.status(cert, above) } : {}) });
    sources.push(new ResponderOnce(ocsp));
  }
  if (stale.length > 0) sources.push(new StaleCrlRevocations(stale, pool, signatures));

  // issuers are found by their signature, SHA-1 included: the weak-signature check reports that
  const finder = new SignatureChecker({ allowSha1: true });
  const bySubject = new Map<string, PathCertificate[]>();
  for (const cert of pool) bySubject.set(nameKey(cert.subject), [...(bySubject.get(nameKey(cert.subject)) ?? []), cert]);
  const statuses = new Map<string, RevocationStatus>();
  for (const cert of pool) {
    if (isSelfIssuedCert(cert)) continue;
    const above = issuersOf(cert, bySubject, finder);
    const key = sha256Hex(cert.der);
    if (above.length === 0) {
      statuses.set(key, { status: 'undetermined', why: 'its issuer is not among the audited certificates' });
      continue;
    }
    statuses.set(key, await revocationStatus(sources, cert, above));
  }
  return { statuses, failures };
}

/**
 * A revocation does not expire: a certificate a stale CRL lists as revoked (other than on hold,
 * which can be lifted) is still reported revoked, each CRL judged as it was while current. Asked
 * last, so a current source decides first.
 */
class StaleCrlRevocations implements RevocationSource {
  private readonly checkers: CrlChecker[];

  constructor(stale: readonly Crl[], pool: readonly PathCertificate[], signatures: SignatureChecker) {
    this.checkers = stale.map((crl) => new CrlChecker([crl], pool, new Date(crl.nextUpdate!.getTime() - 1), signatures));
  }

  async status(cert: PathCertificate, above: readonly PathCertificate[]): Promise<RevocationStatus> {
    for (const checker of this.checkers) {
      const s = await checker.status(cert, above);
      if (s.status === 'revoked' && s.reason !== 'certificateHold') return { ...s, reason: `${s.reason}, on a CRL now out of date` };
    }
    return { status: 'undetermined', why: '' };
  }
}

/**
 * An OCSP responder that could not be reached is not asked again in the same run: one dead host
 * costs one timeout, not one per certificate.
 */
class ResponderOnce implements RevocationSource {
  private readonly dead = new Map<string, string>();

  constructor(private readonly inner: RevocationSource) {}

  async status(cert: PathCertificate, above: readonly PathCertificate[]): Promise<RevocationStatus> {
    const url = cert.ocspUrls?.find((u) => /^http:\/\//i.test(u));
    const host = url === undefined ? undefined : hostOf(url);
    const dead = host === undefined ? undefined : this.dead.get(host);
    if (dead) return { status: 'failed', code: 'ERR_OCSP_FETCH', why: `not asked: the OCSP responder at ${host} failed earlier in this audit` };
    const s = await this.inner.status(cert, above);
    if (s.status === 'failed' && s.code === 'ERR_OCSP_FETCH' && host !== undefined) this.dead.set(host, s.why);
    return s;
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.replace(/[^\x21-\x7e]/g, '?');
  } catch {
    return undefined;
  }
}

function showUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`.replace(/[^\x21-\x7e]/g, '?');
  } catch {
    return 'a CRL distribution point';
  }
}

/** The readable certificates, each once. */
function unique(certificates: readonly Uint8Array[]): PathCertificate[] {
  const out = new Map<string, PathCertificate>();
  for (const der of certificates) {
    const key = sha256Hex(der);
    if (out.has(key)) continue;
    const cert = tryReadPathCertificate(der);
    if (cert) out.set(key, cert);
  }
  return [...out.values()];
}

/** `cert`'s issuer and the issuers above it, found among `pool` by name and signature, up to a self-issued one. */
function issuersOf(cert: PathCertificate, bySubject: ReadonlyMap<string, PathCertificate[]>, signatures: SignatureChecker): PathCertificate[] {
  const above: PathCertificate[] = [];
  let current = cert;
  while (above.length < MAX_ISSUERS && !(above.length > 0 && isSelfIssuedCert(current))) {
    const below = current;
    const candidates = bySubject.get(nameKey(below.issuer)) ?? [];
    const issuer = candidates.find((i) => i !== below && !above.includes(i) && namesMatch(i.subject, below.issuer) && keyIdsAgree(below, i) && ['ok', 'weak'].includes(signatures.verify(below, i.spki)));
    if (!issuer) break;
    above.push(issuer);
    current = issuer;
  }
  return above;
}

function keyIdsAgree(child: PathCertificate, candidate: PathCertificate): boolean {
  return !child.authorityKeyId || !candidate.subjectKeyId || bytesEqual(child.authorityKeyId, candidate.subjectKeyId);
}
