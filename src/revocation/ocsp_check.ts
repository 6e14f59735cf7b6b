import { createHash } from 'node:crypto';
import { HapkiError } from '../errors.js';
import { bytesEqual, toHex } from '../lib/bytes.js';
import { namesMatch } from '../path/dn_match.js';
import { PATH_OID, tryReadPathCertificate, type PathCertificate } from '../path/path_certificate.js';
import { subjectOf, validityProblem } from '../path/path_checks.js';
import type { PathErrorCode } from '../path/path_problem.js';
import type { SignatureChecker } from '../path/path_signature.js';
import { CRL_REASON_NAMES } from './crl_check.js';
import { postOcspRequest } from './ocsp_fetch.js';
import { readOcspResponse, type OcspResponse, type OcspSingleResponse } from './ocsp_read.js';
import { buildOcspRequest, CERT_ID_HASHES, certIdOf, publicKeyBits } from './ocsp_request.js';
import type { RevocationSource, RevocationStatus } from './revocation_source.js';

/** How far thisUpdate may lie ahead of, and nextUpdate behind, the validation time: clocks differ. */
export const OCSP_CLOCK_SKEW_MS = 5 * 60_000;
/** A response without nextUpdate ("newer information is always available") is taken for this long after its thisUpdate. */
export const OCSP_MAX_AGE_WITHOUT_NEXT_UPDATE_MS = 24 * 3600_000;

export interface OcspOptions {
  /** Query the OCSP responder each certificate's authorityInfoAccess names (http:// only). */
  fetch?: boolean;
  /** OCSP responses (DER) already at hand, such as a TLS server's stapled one; used before any query. */
  responses?: readonly Uint8Array[];
  /** Send a nonce the response must echo when it has one (default true). */
  nonce?: boolean;
  /** Per query, connect to last byte (default 10 s). */
  timeoutMs?: number;
  /** Ends every query still running (an overall deadline). */
  signal?: AbortSignal;
  /** A certificate whose status stays undetermined (responder says unknown, no responder named) fails the path (ERR_REVOCATION_UNKNOWN). */
  required?: boolean;
}

export interface OcspCheckContext {
  at: Date;
  signatures: SignatureChecker;
  /** The nonce sent (extnValue), when one was. */
  nonce?: Uint8Array;
  /** The status of a delegated responder's certificate that lacks id-pkix-ocsp-nocheck (from the other revocation sources). */
  responderStatus?: (responder: PathCertificate, above: readonly PathCertificate[]) => RevocationStatus | Promise<RevocationStatus>;
}

const failed = (code: PathErrorCode, why: string): RevocationStatus => ({ status: 'failed', code, why });

/** The first SingleResponse of `response` about `cert` (issued by `issuer`), whichever hash its CertID uses. */
export function findSingleResponse(response: OcspResponse, cert: PathCertificate, issuer: PathCertificate): OcspSingleResponse | undefined {
  return response.responses.find((single) => speaksOf(single, cert, issuer));
}

/** Every SingleResponse of `response` about `cert`: a responder may answer twice (a request naming it twice, CertIDs of two hashes). */
export function singleResponsesAbout(response: OcspResponse, cert: PathCertificate, issuer: PathCertificate): OcspSingleResponse[] {
  return response.responses.filter((single) => speaksOf(single, cert, issuer));
}

function speaksOf(single: OcspSingleResponse, cert: PathCertificate, issuer: PathCertificate): boolean {
  if (!CERT_ID_HASHES[single.certId.hashOid] || !bytesEqual(single.certId.serial, cert.serial)) return false;
  const mine = certIdOf(cert, issuer, single.certId.hashOid);
  return bytesEqual(mine.issuerNameHash, single.certId.issuerNameHash) && bytesEqual(mine.issuerKeyHash, single.certId.issuerKeyHash);
}

/**
 * How SingleResponses about one certificate contradict each other (good beside revoked, two
 * revocation times or reasons), or undefined when they all say the same. RFC 6960 gives one
 * status per certificate; a response that gives two is not relied on at all (which one a reader
 * takes is its own choice: openssl ocsp takes the first), so it fails closed, whatever it says.
 */
function conflictOf(singles: readonly OcspSingleResponse[]): string | undefined {
  const says = (single: OcspSingleResponse): string =>
    single.status === 'revoked'
      ? `revoked on ${single.revokedAt!.toISOString()}${single.reason === undefined ? '' : ` (${CRL_REASON_NAMES[single.reason] ?? `reason ${single.reason}`})`}`
      : single.status;
  const distinct = [...new Set(singles.map(says))];
  return distinct.length > 1 ? distinct.join(' and ') : undefined;
}

/**
 * Judges an OCSP response about `cert` (RFC 6960 3.2): signed by the issuer itself or by a
 * delegated responder the issuer certified for id-kp-OCSPSigning (valid at `at`, and not revoked
 * unless it carries id-pkix-ocsp-nocheck), with an acceptable signature algorithm, echoing the
 * nonce when it carries one, current at `at` within OCSP_CLOCK_SKEW_MS. Returns the certificate's
 * status, or 'failed' with the code of what is wrong with the response.
 */
export async function checkOcspResponse(response: OcspResponse, cert: PathCertificate, above: readonly PathCertificate[], context: OcspCheckContext): Promise<RevocationStatus> {
  const issuer = above[0]!;
  const singles = singleResponsesAbout(response, cert, issuer);
  const single = singles[0];
  if (!single) return failed('ERR_OCSP_INVALID', `the OCSP response does not speak of "${subjectOf(cert)}"`);
  if (response.unusable) return failed('ERR_OCSP_INVALID', `the OCSP response is unusable: ${response.unusable}`);
  const signer = await signerProblem(response, issuer, above, context);
  if (signer) return signer;
  if (context.nonce && response.nonce && !bytesEqual(context.nonce, response.nonce)) return failed('ERR_OCSP_INVALID', 'the OCSP response answers another request (its nonce differs from the one sent)');
  const conflict = conflictOf(singles);
  if (conflict) return failed('ERR_OCSP_INVALID', `the OCSP response contradicts itself about "${subjectOf(cert)}": ${conflict}`);
  const at = context.at.getTime();
  if (single.thisUpdate.getTime() > at + OCSP_CLOCK_SKEW_MS) return failed('ERR_OCSP_INVALID', `the OCSP response is not valid before ${single.thisUpdate.toISOString()}`);
  if (single.nextUpdate ? single.nextUpdate.getTime() < at - OCSP_CLOCK_SKEW_MS : single.thisUpdate.getTime() < at - OCSP_MAX_AGE_WITHOUT_NEXT_UPDATE_MS) {
    return failed('ERR_OCSP_INVALID', `the OCSP response is stale (thisUpdate ${single.thisUpdate.toISOString()}${single.nextUpdate ? `, nextUpdate ${single.nextUpdate.toISOString()}` : ''})`);
  }
  if (single.status === 'revoked') return { status: 'revoked', reason: CRL_REASON_NAMES[single.reason ?? 0] ?? `reason ${single.reason}`, revokedAt: single.revokedAt! };
  if (single.status === 'unknown') return { status: 'undetermined', why: 'the OCSP responder does not know it' };
  return { status: 'good' };
}

/** Why the response's signer is not one to trust for `issuer`'s certificates, or undefined when it is. */
async function signerProblem(response: OcspResponse, issuer: PathCertificate, above: readonly PathCertificate[], context: OcspCheckContext): Promise<RevocationStatus | undefined> {
  const { signatures } = context;
  const candidates = [issuer, ...response.certs.map(tryReadPathCertificate).filter((c): c is PathCertificate => c !== undefined && !bytesEqual(c.der, issuer.der))].filter((c) => isResponder(response, c));
  if (candidates.length === 0) return failed('ERR_OCSP_INVALID', `the OCSP response is signed by a responder that is neither "${subjectOf(issuer)}" nor a certificate it sent`);
  let last: RevocationStatus = failed('ERR_OCSP_INVALID', 'the OCSP response signature does not verify');
  for (const signer of candidates) {
    if (signer !== issuer) {
      const why = delegationProblem(signer, issuer, context);
      if (why) {
        last = failed('ERR_OCSP_INVALID', `the OCSP responder "${subjectOf(signer)}" is not authorised by "${subjectOf(issuer)}": ${why}`);
        continue;
      }
    }
    const verdict = signatures.verify(response, signer.spki);
    if (verdict === 'weak') {
      const name = signatures.algorithm(response).name;
      last = failed('ERR_WEAK_SIGNATURE', `the OCSP response is signed with ${name}, which hapki does not accept${/sha-?1/i.test(name) ? ' (verify --allow-sha1 accepts SHA-1)' : ''}`);
      continue;
    }
    if (verdict !== 'ok') continue;
    if (signer !== issuer && !signer.extensions.some((e) => e.oid === PATH_OID.ocspNoCheck) && context.responderStatus) {
      const own = await context.responderStatus(signer, above);
      if (own.status === 'revoked') {
        last = failed('ERR_OCSP_INVALID', `the OCSP responder "${subjectOf(signer)}" is revoked`);
        continue;
      }
    }
    return undefined;
  }
  return last;
}

function isResponder(response: OcspResponse, cert: PathCertificate): boolean {
  if ('byName' in response.responderId) return namesMatch(response.responderId.byName, cert.subject);
  try {
    return bytesEqual(new Uint8Array(createHash('sha1').update(publicKeyBits(cert.spki)).digest()), response.responderId.byKey);
  } catch {
    return false;
  }
}

/** RFC 6960 4.2.2.2: a delegated responder is issued by the CA directly and certified for OCSP signing. */
function delegationProblem(responder: PathCertificate, issuer: PathCertificate, context: OcspCheckContext): string | undefined {
  if (!namesMatch(responder.issuer, issuer.subject) || context.signatures.verify(responder, issuer.spki) !== 'ok') return 'it was not issued by that CA';
  if (!responder.extKeyUsage?.includes(PATH_OID.ocspSigning)) return 'it lacks the id-kp-OCSPSigning extended key usage';
  if (validityProblem(responder, context.at)) return 'it is not valid at the validation time';
  return undefined;
}

/**
 * Revocation by OCSP: for each certificate, a response at hand (stapled) about it, else, with
 * `fetch`, a query to the responder its authorityInfoAccess names. What cannot be fetched, read
 * or trusted is 'failed' with its code (ERR_OCSP_FETCH, ERR_OCSP_FORMAT, ERR_OCSP_RESPONDER,
 * ERR_OCSP_INVALID, ERR_WEAK_SIGNATURE); no responder named, or 'unknown', is undetermined.
 */
export class OcspChecker implements RevocationSource {
  private readonly given: { der: Uint8Array; parsed?: OcspResponse; error?: HapkiError }[];
  private readonly cache = new Map<string, Promise<RevocationStatus>>();

  constructor(
    private readonly options: OcspOptions,
    private readonly context: Omit<OcspCheckContext, 'nonce'>,
  ) {
    this.given = (options.responses ?? []).map((der) => ({ der }));
  }

  status(cert: PathCertificate, above: readonly PathCertificate[]): Promise<RevocationStatus> {
    const key = `${toHex(cert.der)}/${toHex(above[0]!.spki)}`;
    let status = this.cache.get(key);
    if (!status) this.cache.set(key, (status = this.lookUp(cert, above)));
    return status;
  }

  private async lookUp(cert: PathCertificate, above: readonly PathCertificate[]): Promise<RevocationStatus> {
    const issuer = above[0]!;
    for (const given of this.given) {
      if (!given.parsed && !given.error) {
        try {
          given.parsed = readOcspResponse(given.der);
        } catch (error) {
          if (!(error instanceof HapkiError)) throw error;
          given.error = error;
        }
      }
      if (given.error) return failed(given.error.code as PathErrorCode, `the stapled OCSP response: ${given.error.message}`);
      if (given.parsed && findSingleResponse(given.parsed, cert, issuer)) return checkOcspResponse(given.parsed, cert, above, this.context);
    }
    if (!this.options.fetch) return { status: 'undetermined', why: 'no OCSP response about it at hand' };
    const url = cert.ocspUrls?.find((u) => /^http:\/\//i.test(u));
    if (!url) return { status: 'undetermined', why: cert.ocspUrls?.length ? 'it names no http:// OCSP responder' : 'it names no OCSP responder' };
    const request = buildOcspRequest(cert, issuer, { nonce: this.options.nonce ?? true });
    try {
      const response = readOcspResponse(await postOcspRequest(url, request.der, { ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }), ...(this.options.signal ? { signal: this.options.signal } : {}) }));
      return await checkOcspResponse(response, cert, above, { ...this.context, ...(request.nonce ? { nonce: request.nonce } : {}) });
    } catch (error) {
      if (!(error instanceof HapkiError)) throw error;
      return failed(error.code as PathErrorCode, `asking the OCSP responder about "${subjectOf(cert)}": ${error.message}`);
    }
  }
}
