// what `hapki verify --help` shows after the options (the man page is made from it: keep it as it is printed)
import { EXIT_CODES_HELP } from '../exit_codes.js';

export const VERIFY_HELP = `
The leaf and every CA are checked for validity dates, signatures, basicConstraints, keyCertSign,
pathLenConstraint, name constraints (directory names compared as RFC 5280 7.1 says), certificate
policies (RFC 5280 6.1), signature algorithms (SHA-1 and MD5 refused, DSA not supported) and
unknown critical extensions; with --crl, every certificate below the anchor against the CRLs
(RFC 5280 6.3: signer and cRLSign, thisUpdate/nextUpdate, distribution points, reasons, delta CRLs);
with --ocsp, each certificate whose status the CRLs leave open by its OCSP responder (RFC 6960: the
CA or a delegated id-kp-OCSPSigning responder it issued, nonce, thisUpdate/nextUpdate within 5 minutes
of skew; a responder that cannot be asked or trusted fails); the leaf's extended key usage,
key usage and Netscape certificate type for --purpose (as openssl verify -purpose and the JDK) and
its subjectAltName for --hostname (wildcards only as the whole left-most label).
A leaf that is itself in the trust store is valid on its own (a directly trusted self-signed peer).

Examples:
  hapki verify msas1.pem --trust ca.pem --hostname lbrhost.example.com --purpose server
  hapki verify gateway.p12#msas1 --storepass env:STOREPASS --trust truststore.jks --purpose client
  hapki verify leaf.pem --untrusted intermediates.pem --trust /etc/ssl/certs/java/cacerts --at 2027-01-01 --json
  hapki verify leaf.pem --trust ca.pem --crl-fetch --crl-required --fetch-timeout 5s
  hapki verify leaf.pem --trust ca.pem --policy 2.23.140.1.2.1 --require-explicit-policy
  hapki verify leaf.pem --trust root.pem --untrusted sub.pem --crl root.crl --crl sub.crl --crl-required
  hapki verify leaf.pem --untrusted sub.pem --trust root.pem --ocsp --fetch-timeout 3s
  hapki verify www.pem --untrusted sub.pem --trust /etc/ssl/certs/ca-certificates.crt --hostname www.example.com --web-pki
${EXIT_CODES_HELP}
  (an invalid chain exits 1 with its code: ERR_CHAIN_UNTRUSTED, ERR_CHAIN_EXPIRED, ERR_HOSTNAME_MISMATCH,
  ERR_WEAK_SIGNATURE, ERR_POLICY, ERR_REVOKED, ERR_REVOCATION_UNKNOWN, ...; an unreadable CRL:
  ERR_CRL_FORMAT; a CRL that cannot be fetched: ERR_CRL_FETCH; OCSP: ERR_OCSP_FETCH, ERR_OCSP_FORMAT,
  ERR_OCSP_RESPONDER (tryLater, unauthorized, ...), ERR_OCSP_INVALID (signer, nonce, stale))`;
