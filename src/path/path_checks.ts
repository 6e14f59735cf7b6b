import { readDer } from '../asn1/der_reader.js';
import { publicKeyWeakness } from '../crypto/key_sanity.js';
import { bytesEqual } from '../lib/bytes.js';
import { LIMITS } from '../limits.js';
import { nameText } from './dn_match.js';
import { constraintsDefect, nameDefect } from './name_constraints.js';
import { KEY_CERT_SIGN, PATH_OID, type PathCertificate } from './path_certificate.js';
import { problem, type PathProblem } from './path_problem.js';

/**
 * The checks of one certificate that do not depend on the rest of the path: well-formedness,
 * critical extensions, key strength, validity period, and its fitness as an issuer.
 */

const UNDERSTOOD = new Set<string>([
  PATH_OID.basicConstraints,
  PATH_OID.keyUsage,
  PATH_OID.extKeyUsage,
  PATH_OID.subjectAltName,
  PATH_OID.nameConstraints,
  PATH_OID.subjectKeyIdentifier,
  PATH_OID.authorityKeyIdentifier,
  // RFC 5280 6.1: the policy tree (policy_tree.ts)
  PATH_OID.certificatePolicies,
  PATH_OID.policyMappings,
  PATH_OID.policyConstraints,
  PATH_OID.inhibitAnyPolicy,
  // read for revocation checking (src/revocation)
  PATH_OID.crlDistributionPoints,
]);

/** Extensions RFC 5280 says must never be critical: a critical one is a defect, not an unknown. */
const NEVER_CRITICAL = new Set<string>([PATH_OID.subjectKeyIdentifier, PATH_OID.authorityKeyIdentifier]);

const labels = new WeakMap<PathCertificate, string>();

/** The subject as people read it, for reasons. */
export function subjectOf(cert: PathCertificate): string {
  let label = labels.get(cert);
  if (label === undefined) {
    // a subject built with thousands of RDNs is shown in part: messages stay short and cheap
    label = nameText(cert.subject, 16) || '(empty subject)';
    labels.set(cert, label);
  }
  return label;
}

/** Structural problems of any certificate in a path. */
export function wellFormedProblem(cert: PathCertificate): PathProblem | undefined {
  const malformed = (what: string): PathProblem => problem('ERR_CERT_MALFORMED', `certificate "${subjectOf(cert)}": ${what}`);
  if (cert.defects.length > 0) return malformed(cert.defects[0]!);
  if (!bytesEqual(cert.signatureAlgorithm, cert.tbsSignatureAlgorithm)) return malformed('its two signature algorithm fields differ');
  if (cert.issuer.length <= 2) return malformed('empty issuer name');
  for (const ext of cert.extensions) {
    if (ext.critical && NEVER_CRITICAL.has(ext.oid)) return malformed(`extension ${ext.oid} must not be critical`);
  }
  if (cert.subjectRdns.length === 0) {
    const san = cert.extensions.find((e) => e.oid === PATH_OID.subjectAltName);
    if (!san || !san.critical) return malformed('an empty subject needs a critical subjectAltName');
  }
  for (const name of cert.subjectAltNames ?? []) {
    const defect = nameDefect(name);
    if (defect) return malformed(defect);
  }
  if (cert.nameConstraints?.subtrees !== undefined) {
    return problem('ERR_NAME_CONSTRAINTS', `certificate "${subjectOf(cert)}" has ${cert.nameConstraints.subtrees} name constraint subtrees, more than the ${LIMITS.nameConstraintSubtrees} hapki checks`);
  }
  if (cert.nameConstraints) {
    const defect = constraintsDefect(cert.nameConstraints);
    if (defect) return malformed(defect);
  }
  const critical = cert.extensions.find((e) => e.critical && !UNDERSTOOD.has(e.oid));
  if (critical) return problem('ERR_UNKNOWN_CRITICAL_EXTENSION', `certificate "${subjectOf(cert)}" has critical extension ${critical.oid}, which hapki does not process`);
  return keyProblem(cert);
}

/** RSA under 2048 bits (hapki's own floor when signing) or with worthless numbers, curves other than P-256/384/521, points off them, DSA. */
function keyProblem(cert: PathCertificate): PathProblem | undefined {
  const weakness = publicKeyWeakness(cert.spki);
  return weakness ? problem('ERR_WEAK_KEY', `certificate "${subjectOf(cert)}" has ${weakness}`) : undefined;
}

/**
 * RFC 5280 4.1.2.2: a positive serial of at most 20 octets. Checked on issued certificates only:
 * trust anchors are taken as given, and a few old roots break the rule.
 */
export function serialProblem(cert: PathCertificate): PathProblem | undefined {
  const s = cert.serial;
  const bad = (what: string): PathProblem => problem('ERR_CERT_MALFORMED', `certificate "${subjectOf(cert)}" has ${what} serial number (RFC 5280 requires a positive one of at most 20 octets)`);
  if (s.length === 0 || (s[0]! & 0x80) !== 0) return bad('a negative');
  if (s.every((b) => b === 0)) return bad('a zero');
  if (s.length > 21 || (s.length === 21 && s[0] !== 0)) return bad('a too long');
  return undefined;
}

/** Certificate times have whole seconds; `at` is compared at that granularity. */
export function validityProblem(cert: PathCertificate, at: Date): PathProblem | undefined {
  const t = Math.floor(at.getTime() / 1000) * 1000;
  if (t < cert.notBefore.getTime()) return problem('ERR_CHAIN_NOT_YET_VALID', `certificate "${subjectOf(cert)}" is not valid before ${cert.notBefore.toISOString()}`);
  if (t > cert.notAfter.getTime()) return problem('ERR_CHAIN_EXPIRED', `certificate "${subjectOf(cert)}" expired on ${cert.notAfter.toISOString()}`);
  return undefined;
}

/**
 * Fitness to sign other certificates: basicConstraints cA, and keyCertSign when keyUsage is
 * present. A self-signed version 1 certificate is accepted as a CA only as a trust anchor, as
 * openssl and Java do for the old roots still found in trust stores.
 */
export function issuerProblem(cert: PathCertificate, isAnchor: boolean): PathProblem | undefined {
  const who = (): string => subjectOf(cert);
  const legacyRoot = isAnchor && cert.version === 1;
  if (!legacyRoot && !cert.basicConstraints?.ca) return problem('ERR_NOT_CA', `certificate "${who()}" issued a certificate but is not a CA (basicConstraints cA is not set)`);
  if (cert.keyUsage && !cert.keyUsage.has(KEY_CERT_SIGN)) return problem('ERR_KEY_USAGE', `CA certificate "${who()}" lacks the keyCertSign key usage`);
  return undefined;
}

/** End-entity rules: CA flags must agree, and name constraints belong in CA certificates only. */
export function leafProfileProblem(cert: PathCertificate): PathProblem | undefined {
  const who = (): string => subjectOf(cert);
  const ca = cert.basicConstraints?.ca ?? false;
  const certSign = cert.keyUsage?.has(KEY_CERT_SIGN) ?? false;
  if (certSign && !ca) return problem('ERR_KEY_USAGE', `certificate "${who()}" asserts keyCertSign without being a CA`);
  if (ca && cert.keyUsage && !certSign) return problem('ERR_CERT_MALFORMED', `certificate "${who()}" is a CA (cA set) whose key usage forbids certificate signing`);
  if (cert.nameConstraints && !ca) return problem('ERR_CERT_MALFORMED', `certificate "${who()}" has name constraints but is not a CA`);
  return undefined;
}

/** extKeyUsage allows the purpose (absent extKeyUsage allows every purpose). */
export function purposeProblem(cert: PathCertificate, purpose: 'server' | 'client' | undefined): PathProblem | undefined {
  if (!purpose || !cert.extKeyUsage) return undefined;
  const wanted = purpose === 'server' ? PATH_OID.serverAuth : PATH_OID.clientAuth;
  if (cert.extKeyUsage.includes(wanted) || cert.extKeyUsage.includes(PATH_OID.anyExtendedKeyUsage)) return undefined;
  return problem('ERR_PURPOSE', `certificate "${subjectOf(cert)}" is not for TLS ${purpose} authentication (its extended key usage lacks ${purpose === 'server' ? 'serverAuth' : 'clientAuth'})`);
}

const NETSCAPE_CERT_TYPE = '2.16.840.1.113730.1.1';
/** keyUsage bits a TLS peer's key may be used under: digitalSignature (0), keyEncipherment (2, RSA key transport, servers only), keyAgreement (4). */
const TLS_KEY_USAGE = { server: [0, 2, 4], client: [0, 4] } as const;
const KEY_USAGE_NAMES: Record<number, string> = { 0: 'digitalSignature', 2: 'keyEncipherment', 4: 'keyAgreement' };

/**
 * The leaf's own say on TLS use, beside its extendedKeyUsage, as openssl verify -purpose and the
 * JDK's TrustManager judge it: an end entity's keyUsage with none of the bits a TLS handshake
 * uses the key under (cRLSign or nonRepudiation alone), or a Netscape certificate type without
 * the SSL server or client bit, is not for TLS server or client authentication.
 */
export function leafTlsUsageProblem(cert: PathCertificate, purpose: 'server' | 'client' | undefined): PathProblem | undefined {
  if (!purpose) return undefined;
  const bits = TLS_KEY_USAGE[purpose];
  // a CA certificate taken as the leaf (x509-limbo rfc5280::ca-as-leaf: RFC 5280 sets no rule) keeps its keyCertSign key usage
  if (cert.keyUsage && !cert.basicConstraints?.ca && !bits.some((b) => cert.keyUsage!.has(b))) {
    return problem('ERR_PURPOSE', `certificate "${subjectOf(cert)}" is not for TLS ${purpose} authentication (its key usage has none of ${bits.map((b) => KEY_USAGE_NAMES[b]).join(', ')})`);
  }
  const netscape = cert.extensions.find((e) => e.oid === NETSCAPE_CERT_TYPE);
  if (netscape) {
    // bit 0 SSL client, bit 1 SSL server (Netscape certificate extensions); one that does not parse says nothing it may be used for
    let types: Uint8Array | undefined;
    try {
      types = readDer(netscape.value, 'netscape-cert-type').bits('netscape-cert-type');
    } catch {
      types = undefined;
    }
    const bit = purpose === 'server' ? 0x40 : 0x80;
    if (!types || ((types[0] ?? 0) & bit) === 0) return problem('ERR_PURPOSE', `certificate "${subjectOf(cert)}" is not for TLS ${purpose} authentication (its Netscape certificate type lacks SSL ${purpose})`);
  }
  return undefined;
}
