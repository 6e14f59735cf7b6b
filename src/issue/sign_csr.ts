import { basicConstraintsOf } from '../cert/basic_constraints.js';
import { encodeName } from '../cert/dn.js';
import { commonNameOf } from '../cert/format_name.js';
import { MIN_RSA_BITS } from '../crypto/key_spec.js';
import type { WebCrypto } from '../crypto/provider.js';
import { CsrFormatError, InvalidArgumentError, PolicyError, UnsupportedAlgorithmError, WeakKeyError } from '../errors.js';
import { bytesEqual } from '../lib/bytes.js';
import { buildCertificate } from './build_certificate.js';
import { issuerFacts, type Issuer, type IssuerFacts } from './issuer.js';
import { DEFAULT_PROFILE, EXTENDED_KEY_USAGE_OIDS, PROFILE_DEFINITIONS, PROFILES, profileKeyUsage, type ProfileName } from './profiles.js';
import { checkCsrSignature, readCsr, type ParsedCsr } from './read_csr.js';
import { commonNameAsSan, mergeSans, namesInSubject, sameSan, type SubjectAltName } from './san.js';
import { subjectValues } from '../names/subject_values.js';
import { BASIC_CONSTRAINTS_OID, SAN_OID, sansOfExtension } from './san_extension.js';
import { randomSerial } from './serial.js';
import { keyIdentifierOfBits } from './key_id.js';
import { computeValidity } from './validity.js';
import { checkIssuerConstraints, checkIssuerPurposes, checkNames, checkSubject, checkValidity, issuanceExtensions, purposesOutsideProfile, requestedCaPowers, subCaPathLength, type IssuanceRules } from './issuance_checks.js';
import { checkRequest, signatureAlgorithmFormProblem } from './request_checks.js';

export const DEFAULT_LEAF_DAYS = 397;

export interface SignCsrOptions extends IssuanceRules {
  /** Names to add (or, with replaceSans, the only names). */
  sans?: readonly SubjectAltName[];
  /** Only `sans`, ignoring the request's names and its CN, as keytool -gencert does. */
  replaceSans?: boolean;
  /** Default "server". */
  profile?: ProfileName;
  /** Default 397; or an explicit notAfter. Either is cut to the CA's own notAfter. */
  days?: number;
  notAfter?: Date;
  /** Replaces the request's subject. */
  subject?: string;
  /** Sign RSA keys under 2048 bits. */
  allowWeak?: boolean;
  /** Sign a request that asks for CA:TRUE (the "ca" profile implies it). */
  allowCa?: boolean;
  now?: Date;
}

export interface SignedCertificate {
  /** The new certificate, DER. */
  certificate: Uint8Array;
  /** The new certificate followed by the issuer's chain. */
  chain: Uint8Array[];
  subject: string;
  sans: SubjectAltName[];
  /** Lower-case hex. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** Things the signer should be told: a shortened validity, names not carried over. */
  warnings: string[];
}

const EMAIL_ADDRESS_OID = '1.2.840.113549.1.9.1';
/** Requested extensions the CA weighs (names, CA powers, purposes, its own key identifier): any other asked for is left out. */
const WEIGHED_EXTENSIONS: ReadonlySet<string> = new Set([SAN_OID, BASIC_CONSTRAINTS_OID, '2.5.29.15', '2.5.29.37', '2.5.29.30', '2.5.29.14']);

const SIGNABLE_KEYS = new Set(['RSA', 'RSASSA-PSS', 'EC:P-256', 'EC:P-384', 'EC:P-521', 'Ed25519', 'Ed448']);

/**
 * Issues a certificate for a PKCS#10 request (PEM or DER): checks the request's signature, then
 * policy (key strength, a CA asked for), merges the names, and signs through the issuer's signer.
 * `crypto`, when given, is only the source of the serial's random bytes.
 */
export async function signCsr(csr: Uint8Array, issuer: Issuer, options: SignCsrOptions = {}, crypto?: WebCrypto): Promise<SignedCertificate> {
  return issueFor(readCsr(csr), issuer, issuerFacts(issuer), options, crypto);
}

/** One request of a batch, with its own options (names, profile, validity). */
export interface CsrToSign {
  csr: Uint8Array;
  options?: SignCsrOptions;
}

/** Either the certificate issued for a request of a batch, or the reason it was refused. */
export type BatchResult = { ok: true; signed: SignedCertificate } | { ok: false; error: Error };

/**
 * Issues certificates for many requests with one issuer: its certificate is read once and its key
 * parsed once, and the signatures run in parallel on the thread pool. Each request succeeds or
 * fails on its own, in the order given.
 */
export async function signCsrs(requests: readonly CsrToSign[], issuer: Issuer, crypto?: WebCrypto): Promise<BatchResult[]> {
  const facts = issuerFacts(issuer);
  if (requests.length > 1 && issuer.signer.parallel) issuer = { ...issuer, signer: issuer.signer.parallel() };
  return Promise.all(
    requests.map(async (request): Promise<BatchResult> => {
      try {
        return { ok: true, signed: await issueFor(readCsr(request.csr), issuer, facts, request.options ?? {}, crypto) };
      } catch (error) {
        return { ok: false, error: error as Error };
      }
    }),
  );
}

async function issueFor(parsed: ParsedCsr, issuer: Issuer, facts: IssuerFacts, options: SignCsrOptions, crypto: WebCrypto | undefined): Promise<SignedCertificate> {
  // the request's key is read once, for its checks, its size, the signature check and the SKI
  const requestKey = checkRequest(parsed.publicKey, parsed.attributes);
  const key = requestKey.description;
  // explicit curve parameters name no curve: such a key is refused (RFC 5480: namedCurve only)
  const keyName = key.algorithm === 'EC' ? `EC:${key.curve ?? 'with explicit parameters'}` : key.algorithm;
  if (!SIGNABLE_KEYS.has(keyName)) throw new UnsupportedAlgorithmError(keyName.replace(':', ' '), 'the request key is not RSA, RSASSA-PSS, EC P-256/P-384/P-521, Ed25519 or Ed448');
  checkCsrSignature(parsed, requestKey.keyObject);
  if (facts.keyBits.some((bits) => bytesEqual(bits, requestKey.bits))) throw new PolicyError('the request is for the key of the issuing CA (or of a CA above it): a CA key signs certificates and CRLs only');
  const profile = options.profile ?? DEFAULT_PROFILE;
  if (options.pathLength !== undefined && !PROFILE_DEFINITIONS[profile].ca) throw new InvalidArgumentError(`a path length constrains a CA certificate: the ${profile} profile has none (--profile ca)`);
  checkPolicy(parsed, key, profile, options);
  checkIssuerPurposes(facts.purposeLimits, PROFILE_DEFINITIONS[profile].extendedKeyUsage.map((name) => EXTENDED_KEY_USAGE_OIDS[name]), profile);
  const warnings: string[] = [];
  const subject = options.subject !== undefined ? encodeName(options.subject) : parsed.subject;
  const subjectText = checkSubject(subject, facts.name, facts.nameText, facts.chainNames);
  const requested = sansOfExtension(parsed.extensions.get(SAN_OID)?.value);
  for (const s of requested.skipped) warnings.push(`the requested name ${s} is not supported and was left out`);
  // the profile sets the extensions: a requested one it does not weigh is left out, as openssl ca
  // leaves it; one the requester marked critical is told, as it evidently mattered to them
  for (const [id, extension] of parsed.extensions) {
    if (extension.critical && !WEIGHED_EXTENSIONS.has(id)) warnings.push(`the requested critical extension ${id} is not carried into the certificate (the profile sets its extensions)`);
  }
  const commonName = commonNameOf(subject);
  const merged = mergeSans({ requested: requested.sans, commonName, extra: options.sans ?? [], replace: options.replaceSans ?? false });
  // the subject's own host names and e-mail addresses are judged like the SANs even when they do
  // not become SANs (--replace-san, a one-label CN a client may fall back to, an emailAddress)
  const serverName = profile !== 'ca' && profile !== 'client';
  const inSubject = namesInSubject(commonName, subjectValues(subject, EMAIL_ADDRESS_OID), { singleLabel: serverName }).filter((n) => !merged.some((m) => sameSan(m, n)));
  const named = checkNames([...merged, ...inSubject], options);
  const sans = named.sans.slice(0, merged.length);
  warnings.push(...named.warnings);
  // a CN that names a host is a character-for-character copy of one of the SANs (CA/B BR 7.1.4.3, RFC 6125 fallback)
  if (commonName !== undefined && !options.replaceSans && commonNameAsSan(commonName).length > 0 && !sans.some((s) => s.value === commonName)) {
    throw new PolicyError('the subject\'s CN is a host name not written as the subject alternative name it becomes: no trailing dot, an IP address in its canonical form (dotted quad, RFC 5952)');
  }
  // CA/B BR 7.1.4.3: a server certificate's CN, if any, is one of its SANs. TLS clients match the
  // SANs alone, so a descriptive CN (keytool's "CN=Example Gateway") misleads only a reader: it is
  // signed with a warning, and refused by a CA set to the rule (ca set --strict-cn)
  if (commonName !== undefined && (profile === 'server' || profile === 'server-client') && !sans.some((s) => s.value === commonName)) {
    const what = 'the subject\'s CN is not one of the subject alternative names (CA/B BR 7.1.4.3; TLS clients ignore it)';
    if (options.strictCommonName) throw new PolicyError(`${what}: this CA requires a server certificate's CN to be one (hapki ca set --strict-cn); give a host name as the CN, or --subject without a CN`);
    warnings.push(`${what}; a CA set with "hapki ca set --strict-cn" refuses it`);
  }
  // RFC 5280 4.1.2.6: a CA's subject is what everything it signs names as its issuer
  if (subjectText === '' && PROFILE_DEFINITIONS[profile].ca) throw new PolicyError('a CA certificate needs a subject: the certificates it signs name it as their issuer (give --subject)');
  if (sans.length === 0 && subjectText === '') throw new PolicyError('the certificate would have neither a subject nor a subject alternative name');
  // TLS clients match a server by its SANs alone (RFC 6125, CA/B BR 7.1.4.2): without a DNS name
  // or an IP address among them, a server certificate serves no host
  if ((profile === 'server' || profile === 'server-client') && !sans.some((s) => s.type === 'dns' || s.type === 'ip')) {
    throw new PolicyError(`a ${profile} certificate needs a host name or an IP address among its subject alternative names, and the request's CN is not one: give --san <host>`);
  }
  const validity = computeValidity(
    { ...(options.days === undefined ? {} : { days: options.days }), ...(options.notAfter ? { notAfter: options.notAfter } : {}), ...(options.now ? { now: options.now } : {}), issuerNotAfter: facts.notAfter, issuerNotBefore: facts.notBefore },
    DEFAULT_LEAF_DAYS,
  );
  checkValidity(validity.notBefore, validity.notAfter, profile, options);
  const pathLength = PROFILE_DEFINITIONS[profile].ca ? subCaPathLength(facts.pathLength, options) : undefined;
  if (validity.clipped) warnings.push(`validity cut to the CA certificate's own end, ${validity.notAfter.toISOString()}`);
  const serial = randomSerial(crypto);
  const certificate = await buildCertificate(
    {
      subject,
      issuer: facts.name,
      publicKey: parsed.publicKey,
      subjectKeyId: keyIdentifierOfBits(requestKey.bits),
      authorityKeyId: facts.keyId,
      serial,
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      ca: PROFILE_DEFINITIONS[profile].ca,
      ...(pathLength === undefined ? {} : { pathLength }),
      extraExtensions: issuanceExtensions(profile, options),
      keyUsage: profileKeyUsage(profile, key.algorithm),
      extendedKeyUsage: PROFILE_DEFINITIONS[profile].extendedKeyUsage,
      sans,
    },
    issuer.signer,
  );
  checkIssuerConstraints(facts.nameConstraints, certificate);
  return { certificate, chain: [certificate, ...issuer.chain], subject: subjectText, sans, serial, notBefore: validity.notBefore, notAfter: validity.notAfter, warnings };
}

function purposeHint(profile: ProfileName): string {
  const given = PROFILE_DEFINITIONS[profile].extendedKeyUsage;
  return given.length === 0 ? 'it gives none' : `it gives ${given.join(', ')} only`;
}

function checkPolicy(parsed: ParsedCsr, key: { algorithm: string; bits?: number }, profile: ProfileName, options: SignCsrOptions): void {
  const form = signatureAlgorithmFormProblem(parsed.signatureAlgorithm);
  if (form) throw new CsrFormatError(`the request's signature algorithm is not in its standard form: ${form}`);
  // CA/B BR 6.1.5, and the path validators (hapki verify's own) refuse anything else, --allow-weak or not
  if ((key.algorithm === 'RSA' || key.algorithm === 'RSASSA-PSS') && (key.bits ?? 0) % 8 !== 0) {
    throw new WeakKeyError(`the request's ${key.algorithm} modulus has ${key.bits} bits, not a whole number of bytes: validators refuse such a key`);
  }
  if ((key.algorithm === 'RSA' || key.algorithm === 'RSASSA-PSS') && (key.bits ?? 0) < MIN_RSA_BITS && !options.allowWeak) {
    throw new PolicyError(`the request's ${key.algorithm} key has ${key.bits} bits, under the ${MIN_RSA_BITS} allowed (--allow-weak to sign it anyway)`);
  }
  if (basicConstraintsOf(parsed.extensions.get(BASIC_CONSTRAINTS_OID)).ca && profile !== 'ca' && !options.allowCa) {
    throw new PolicyError('the request asks for a CA certificate (basicConstraints CA:TRUE); sign it with --profile ca or --allow-ca if that is meant');
  }
  const powers = profile === 'ca' || options.allowCa ? undefined : requestedCaPowers(parsed.extensions);
  if (powers) throw new PolicyError(`the request asks for what only a CA certificate has (${powers}); sign it with --profile ca or --allow-ca if that is meant`);
  const purposes = purposesOutsideProfile(parsed.extensions, profile);
  if (purposes) {
    // only a profile of the same kind (CA or leaf) is named: "--profile server-client" for a
    // sub-CA request would only be answered with "sign it with --profile ca"
    const fitting = PROFILES.find((p) => PROFILE_DEFINITIONS[p].ca === PROFILE_DEFINITIONS[profile].ca && purposesOutsideProfile(parsed.extensions, p) === undefined);
    throw new PolicyError(`the request asks for the extended key usage ${purposes}, which the ${profile} profile does not give (${purposeHint(profile)}): ${fitting ? `sign it with --profile ${fitting} if that is meant, or ` : ''}re-create the request without it`);
  }
}
