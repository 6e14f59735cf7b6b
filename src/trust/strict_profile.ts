import { isSelfIssuedCert, PATH_OID, type PathCertificate } from '../path/path_certificate.js';
import { serialProblem, subjectOf } from '../path/path_checks.js';
import { problem, type PathProblem } from '../path/path_problem.js';

/**
 * RFC 5280's requirements on issuing CAs, enforced on the whole path, the trust anchor included,
 * for `strict: true` (`verify --x509-strict`, after openssl's -x509_strict): an
 * authorityKeyIdentifier in every certificate but a self-signed one (4.2.1.1), a
 * subjectKeyIdentifier in every CA certificate (4.2.1.2), basicConstraints (4.2.1.9),
 * nameConstraints (4.2.1.10) and policyConstraints (4.2.1.11) marked critical, and a positive
 * serial of at most 20 octets on the anchor too (4.1.2.2). Without it hapki takes these as CAs
 * often write them: internal CAs omit key identifiers, and some public roots break the rest.
 * `path`: leaf first, the trust anchor last (one certificate for a directly trusted leaf).
 */
export function strictProblem(path: readonly PathCertificate[]): PathProblem | undefined {
  const strict = (cert: PathCertificate, what: string): PathProblem => problem('ERR_CERT_MALFORMED', `certificate "${subjectOf(cert)}" ${what} (RFC 5280, --x509-strict)`);
  for (const cert of path) {
    const ca = cert.basicConstraints?.ca ?? false;
    const selfSigned = isSelfIssuedCert(cert) && cert.authorityKeyId === undefined;
    if (!cert.extensions.some((e) => e.oid === PATH_OID.authorityKeyIdentifier) && !(selfSigned && cert === path[path.length - 1])) return strict(cert, 'has no authorityKeyIdentifier');
    if (ca && !cert.subjectKeyId) return strict(cert, 'is a CA without a subjectKeyIdentifier');
    for (const [oid, name] of [
      [PATH_OID.basicConstraints, 'basicConstraints'],
      [PATH_OID.nameConstraints, 'nameConstraints'],
      [PATH_OID.policyConstraints, 'policyConstraints'],
    ] as const) {
      if (oid === PATH_OID.basicConstraints && !ca) continue;
      if (cert.extensions.some((e) => e.oid === oid && !e.critical)) return strict(cert, `does not mark ${name} critical`);
    }
  }
  return serialProblem(path[path.length - 1]!);
}
