import { formatIp } from '../cert/general_names.js';
import { bytesEqual } from '../lib/bytes.js';
import { isSelfIssuedCert, PATH_OID, type PathCertificate } from '../path/path_certificate.js';
import { subjectOf } from '../path/path_checks.js';
import { problem, type PathProblem } from '../path/path_problem.js';

/**
 * The web PKI's certificate profile (CA/Browser Forum Baseline Requirements 7.1.2), on top of
 * RFC 5280, for `profile: 'webpki'`: rules on how publicly trusted certificates are issued that
 * RFC 5280 leaves open and private PKIs break, so they apply only when asked for.
 * `path`: leaf first, the trust anchor last.
 */
export function webpkiProblem(path: readonly PathCertificate[]): PathProblem | undefined {
  const leaf = path[0]!;
  const anchor = path[path.length - 1]!;
  const who = (cert: PathCertificate): string => `certificate "${subjectOf(cert)}"`;
  const profile = (what: string): string => `${what} (CA/Browser Forum profile, --web-pki)`;
  if (leaf.basicConstraints?.ca) return problem('ERR_PURPOSE', profile(`${who(leaf)} is a CA certificate, not a subscriber certificate`));
  if (!leaf.extKeyUsage) return problem('ERR_PURPOSE', profile(`${who(leaf)} has no extendedKeyUsage`));
  if (leaf.extKeyUsage.includes(PATH_OID.anyExtendedKeyUsage)) return problem('ERR_PURPOSE', profile(`${who(leaf)} asserts anyExtendedKeyUsage`));
  if (leaf.extensions.some((e) => e.oid === PATH_OID.extKeyUsage && e.critical)) return problem('ERR_PURPOSE', profile(`${who(leaf)} marks extendedKeyUsage critical`));
  if (leaf.subjectRdns.length > 0 && leaf.extensions.some((e) => e.oid === PATH_OID.subjectAltName && e.critical)) {
    return problem('ERR_CERT_MALFORMED', profile(`${who(leaf)} marks subjectAltName critical beside a subject`));
  }
  for (const cn of leaf.subjectCommonNames) {
    const why = commonNameProblem(cn, leaf);
    if (why) return problem('ERR_CERT_MALFORMED', profile(`${who(leaf)}: ${why}`));
  }
  if (isSelfIssuedCert(anchor) && path.length > 1) {
    if (anchor.extKeyUsage) return problem('ERR_PURPOSE', profile(`the root "${subjectOf(anchor)}" has an extendedKeyUsage`));
    if (anchor.extensions.some((e) => e.oid === PATH_OID.authorityKeyIdentifier)) {
      if (!anchor.authorityKeyId || anchor.authorityKeyIdHasIssuer || !anchor.subjectKeyId || !bytesEqual(anchor.authorityKeyId, anchor.subjectKeyId)) {
        return problem('ERR_CERT_MALFORMED', profile(`the root "${subjectOf(anchor)}" has an authorityKeyIdentifier other than its own subjectKeyIdentifier alone`));
      }
    }
  }
  return undefined;
}

/**
 * BR 7.1.4.3: a commonName is a character-for-character copy of a SAN: an IP address in its
 * canonical text (IPv4 dotted decimal, IPv6 as RFC 5952 writes it), a domain name as the dNSName
 * is written (same case, A-labels). Enforced where the commonName evidently means a SAN, written
 * otherwise; a commonName unrelated to the SANs is left alone (limbo's own valid chains carry
 * CN=example.com beside other SANs, and hapki never reads the commonName as a host name).
 */
function commonNameProblem(cn: string, cert: PathCertificate): string | undefined {
  const texts = sanTexts(cert);
  if (texts.includes(cn)) return undefined;
  const ipLike = /^(0x[0-9a-f]+|\d+(\.\d+){1,3})$/i.test(cn) || (cn.includes(':') && /^[0-9a-f:.]+$/i.test(cn));
  if (ipLike) return 'its commonName is an IP address not written as an iPAddress subjectAltName is (dotted decimal, RFC 5952)';
  if (/[^\x20-\x7e]/.test(cn)) return 'its commonName is not ASCII, so it copies no dNSName (internationalized names are A-labels there)';
  if (texts.some((t) => t.toLowerCase() === cn.toLowerCase())) return 'its commonName differs from a dNSName in letter case';
  return undefined;
}

/** A certificate's DNS and IP subjectAltNames as a commonName must copy them: DNS names as written, IPv4 dotted, IPv6 as RFC 5952 writes it. */
function sanTexts(cert: PathCertificate): string[] {
  const out: string[] = [];
  for (const name of cert.subjectAltNames ?? []) {
    if (name.type === 'dns') out.push(name.value);
    else if (name.type === 'ip' && (name.value.length === 4 || name.value.length === 16)) out.push(formatIp(name.value));
  }
  return out;
}

