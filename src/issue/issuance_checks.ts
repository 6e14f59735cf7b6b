import { TagClass } from '../asn1/der_reader.js';
import { implicitPrimitive, oid, sequence, tlv } from '../asn1/der_writer.js';
import { bytesEqual, concatBytes } from '../lib/bytes.js';
import { formatName } from '../cert/format_name.js';
import { purposeNames } from '../cert/purpose_names.js';
import { InvalidArgumentError, PolicyError } from '../errors.js';
import { KEY_USAGE_OID, keyUsageHas, MAX_PATH_LENGTH } from '../cert/basic_constraints.js';
import type { CertificateExtension } from '../cert/tbs.js';
import { canonicalIp, nameProblem } from '../names/general_name.js';
import { subjectProblem } from '../names/subject_values.js';
import { escapeText } from '../text/escape.js';
import { LIMITS } from '../limits.js';
import { namesMatch } from '../path/dn_match.js';
import { nameConstraintViolation } from '../path/name_constraints.js';
import { readPathCertificate, type NameConstraints } from '../path/path_certificate.js';
import { readDer } from '../asn1/der_reader.js';
import { describeOutside, isEmptyPolicy, nameConstraintsValue, namesOutsidePolicy, type NamePolicy } from './name_policy.js';
import { EXTENDED_KEY_USAGE_OIDS, PROFILE_DEFINITIONS, type ProfileName } from './profiles.js';
import { formatSan, type SubjectAltName } from './san.js';

const NAME_CONSTRAINTS_OID = '2.5.29.30';

/** The longest leaf validity the CA/Browser Forum allows (BR 6.3.2), in days. */
export const MAX_LEAF_DAYS = 398;

/** What a CA checks beyond the request itself; every override is a separate, named choice. */
export interface IssuanceRules {
  /** Allow "*" as the whole leftmost label of DNS names. */
  allowWildcard?: boolean;
  /** The names this CA may certify; undefined or empty: any (the CLI warns). */
  namePolicy?: NamePolicy;
  /** Names allowed whatever the policy says (the cluster file's load balancer and node names). */
  allowedNames?: readonly SubjectAltName[];
  /** Sign names outside the policy, saying so. */
  allowAnyName?: boolean;
  /** A leaf valid longer than 398 days. */
  allowLongValidity?: boolean;
  /** pathLenConstraint of a sub-CA (profile ca); default 0. */
  pathLength?: number;
  /** URLs written into the certificate: CRL distribution point and AIA caIssuers. */
  crlUrl?: string;
  caIssuersUrl?: string;
  /**
   * A server certificate's CN must be a copy of one of its SANs (CA/B BR 7.1.4.3): a descriptive
   * CN ("Example Gateway") is refused rather than signed with a warning. Set with `hapki ca set --strict-cn`.
   */
  strictCommonName?: boolean;
}

/** Extension as it goes into a certificate: the DER of its value. */
export interface ExtraExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/**
 * Subject values without control characters, and not the issuer's own name. Returns the subject
 * as text; `issuerText`, the issuer's name as text, saves formatting it again for every request.
 */
export function checkSubject(subject: Uint8Array, issuerName: Uint8Array, issuerText = formatName(issuerName), namesAbove: readonly Uint8Array[] = []): string {
  const problem = subjectProblem(subject);
  if (problem) throw new PolicyError(`the subject ${problem}`);
  const text = formatName(subject);
  // RFC 5280 7.1 matching (RFC 4518: case, spaces, string types), as a path builder compares names
  if (bytesEqual(subject, issuerName) || text.toLowerCase() === issuerText.toLowerCase() || namesMatch(subject, issuerName)) {
    throw new PolicyError('the subject is the issuing CA\'s own name; a certificate would be indistinguishable from the CA\'s');
  }
  if (namesAbove.some((name) => namesMatch(subject, name))) throw new PolicyError('the subject is the name of a CA above the issuing one; a certificate would be indistinguishable from that CA\'s');
  return text;
}

/**
 * Every name through the one validator (canonical IPs, RFC 1034/5890 DNS names, wildcards only
 * with allowWildcard), then the CA's name policy. Returns the names as they go into the
 * certificate and the warnings to show.
 */
export function checkNames(sans: readonly SubjectAltName[], rules: IssuanceRules): { sans: SubjectAltName[]; warnings: string[] } {
  const warnings: string[] = [];
  if (sans.length > LIMITS.sansPerCertificate) throw new PolicyError(`${sans.length} names for one certificate: more than the ${LIMITS.sansPerCertificate} a certificate may have`);
  const checked = sans.map((san) => {
    // canonical forms: an IP as RFC 5952 / dotted quad, a DNS name without the root's trailing dot
    const value = san.type === 'ip' ? canonicalIp(san.value) ?? san.value : san.type === 'dns' && san.value.length > 1 ? san.value.replace(/\.$/, '') : san.value;
    // one trailing dot is the root's and goes; a second would stay in the certificate
    const problem = san.type === 'dns' && value.endsWith('.') && value.length > 1 ? 'has an empty label' : nameProblem(san.type, value, { allowWildcard: rules.allowWildcard ?? false });
    if (problem) throw new PolicyError(`the name ${escapeText(formatSan(san))} ${problem}`);
    return { type: san.type, value };
  });
  const policy = rules.namePolicy;
  if (isEmptyPolicy(policy)) return { sans: checked, warnings };
  const allowed = new Set((rules.allowedNames ?? []).map((n) => formatSan(n).toLowerCase()));
  const outside = namesOutsidePolicy(checked, policy!).filter((n) => !allowed.has(formatSan(n).toLowerCase()));
  if (outside.length > 0) {
    // the override is named only to a caller that has one (sign; not ca init, token issue or apply)
    if (!rules.allowAnyName) throw new PolicyError(`names outside this CA's policy (${[...policy!.domains, ...policy!.ipRanges].join(', ')}): ${describeOutside(outside)}${rules.allowAnyName === false ? ' (--allow-any-name to sign them anyway)' : ''}`);
    warnings.push(`--allow-any-name: signing names outside this CA's policy: ${describeOutside(outside)}`);
  }
  return { sans: checked, warnings };
}

/** A leaf longer than 398 days needs allowLongValidity. */
export function checkValidity(notBefore: Date, notAfter: Date, profile: ProfileName, rules: IssuanceRules): void {
  if (profile === 'ca' || rules.allowLongValidity) return;
  const days = (notAfter.getTime() - notBefore.getTime()) / 86_400_000;
  if (days > MAX_LEAF_DAYS) throw new PolicyError(`a leaf certificate valid ${Math.round(days)} days is over the ${MAX_LEAF_DAYS} allowed (--allow-long-validity to sign it anyway)`);
}

/**
 * A pathLenConstraint hapki may write: a whole number from 0 to MAX_PATH_LENGTH. A larger one
 * would make a certificate that keytool (an int in Java) and hapki itself refuse to read.
 */
export function checkPathLengthValue(pathLength: number): void {
  if (!Number.isInteger(pathLength) || pathLength < 0 || pathLength > MAX_PATH_LENGTH) {
    throw new InvalidArgumentError(`path length ${pathLength} is not a whole number from 0 to ${MAX_PATH_LENGTH}`);
  }
}

/**
 * A sub-CA's pathLenConstraint: the asked one (default 0), which must leave the issuer's own
 * constraint satisfied; an issuer with pathLen 0 may sign no CA at all.
 */
export function subCaPathLength(issuerPathLength: number | undefined, rules: IssuanceRules): number {
  const wanted = rules.pathLength ?? 0;
  checkPathLengthValue(wanted);
  if (issuerPathLength === undefined) return wanted;
  if (issuerPathLength === 0) throw new PolicyError('the issuing CA has pathLen 0: it may not sign another CA');
  if (wanted > issuerPathLength - 1) throw new PolicyError(`the issuing CA has pathLen ${issuerPathLength}: a sub-CA may have at most ${issuerPathLength - 1}`);
  return wanted;
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const context = (n: number, ...items: Uint8Array[]): Uint8Array => tlv(n, concatBytes(items), { cls: TagClass.context, constructed: true });

/** CRL distribution point, AIA caIssuers and (sub-CA with a policy) name constraints. */
export function issuanceExtensions(profile: ProfileName, rules: IssuanceRules): ExtraExtension[] {
  const extensions: ExtraExtension[] = [];
  if (rules.crlUrl) {
    // CRLDistributionPoints: one DistributionPoint whose distributionPoint [0] is fullName [0] { URI }
    extensions.push({ oid: '2.5.29.31', critical: false, value: sequence(sequence(context(0, context(0, implicitPrimitive(6, ascii(rules.crlUrl)))))) });
  }
  if (rules.caIssuersUrl) {
    extensions.push({ oid: '1.3.6.1.5.5.7.1.1', critical: false, value: sequence(sequence(oid('1.3.6.1.5.5.7.48.2'), implicitPrimitive(6, ascii(rules.caIssuersUrl)))) });
  }
  if (profile === 'ca' && !isEmptyPolicy(rules.namePolicy)) {
    extensions.push({ oid: '2.5.29.30', critical: true, value: nameConstraintsValue(rules.namePolicy!) });
  }
  return extensions;
}


/**
 * A certificate the issuer's own name constraints (or those of a CA above it) do not allow would
 * fail every path validation: refused (ERR_POLICY) whatever the policy and its overrides say.
 */
export function checkIssuerConstraints(constraints: readonly NameConstraints[], certificate: Uint8Array): void {
  if (constraints.length === 0) return;
  const issued = readPathCertificate(certificate);
  for (const nc of constraints) {
    const violation = nameConstraintViolation(nc, issued);
    if (violation) throw new PolicyError(`the issuing CA's name constraints forbid it: ${escapeText(violation)}`);
  }
}

/**
 * The purposes a certificate is for (its extendedKeyUsage) must be within those of the issuing CA
 * and of the CAs above it where these list theirs (without anyExtendedKeyUsage): openssl, the
 * browsers and hapki's own validation refuse a client certificate under a CA limited to serverAuth.
 */
export function checkIssuerPurposes(limits: readonly { subject: string; purposes: readonly string[] }[], purposes: readonly string[], profile: ProfileName): void {
  for (const limit of limits) {
    const outside = purposes.filter((p) => !limit.purposes.includes(p));
    if (outside.length === 0) continue;
    const names = purposeNames;
    throw new PolicyError(`the CA "${escapeText(limit.subject)}" is limited to ${names(limit.purposes)} by its extendedKeyUsage: a ${profile} certificate for ${names(outside)} under it would not validate`);
  }
}

/**
 * What a request asks for that only a CA certificate has, beyond CA:TRUE (checked on its own):
 * keyCertSign or cRLSign in its keyUsage, or nameConstraints. The profile decides what goes into
 * the certificate, so none of it would be copied; a leaf request asking for it is refused all the
 * same, as CA:TRUE is: it is a CA request by mistake or by design, and the requester should hear so.
 */
export function requestedCaPowers(extensions: ReadonlyMap<string, CertificateExtension>): string | undefined {
  if (extensions.has(NAME_CONSTRAINTS_OID)) return 'nameConstraints';
  const ku = extensions.get(KEY_USAGE_OID);
  if (ku && keyUsageHas(ku, 5)) return 'keyUsage keyCertSign';
  if (ku && keyUsageHas(ku, 6)) return 'keyUsage cRLSign';
  return undefined;
}

const EXTENDED_KEY_USAGE_OID = '2.5.29.37';


/**
 * The purposes (extendedKeyUsage) a request asks for that the profile does not give, named, or
 * undefined. The profile decides what goes into the certificate, so none would be copied; but a
 * requester who asked for codeSigning, OCSPSigning or anyExtendedKeyUsage and got a server
 * certificate silently has a certificate other than the one asked for, and a request asking for
 * more than it may have is refused, as CA:TRUE is. The request's extension has passed its schema
 * check (a non-empty SEQUENCE of OIDs) already.
 */
export function purposesOutsideProfile(extensions: ReadonlyMap<string, CertificateExtension>, profile: ProfileName): string | undefined {
  const eku = extensions.get(EXTENDED_KEY_USAGE_OID);
  if (!eku) return undefined;
  const given = new Set<string>(PROFILE_DEFINITIONS[profile].extendedKeyUsage.map((name) => EXTENDED_KEY_USAGE_OIDS[name]));
  const asked = readDer(eku.value, 'extendedKeyUsage').children.map((child) => child.oid('key purpose'));
  const outside = [...new Set(asked.filter((purpose) => !given.has(purpose)))];
  return outside.length === 0 ? undefined : purposeNames(outside);
}
