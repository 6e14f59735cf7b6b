// what `hapki sign --help` shows after the options (the man page is made from it: keep it as it is printed)
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { PKCS11_HELP } from '../pkcs11_access.js';

export const SIGN_HELP = `
The names are the request's, then its CN when that is a host name, then every --san, without repeats.
Several requests are signed in one run with the CA key opened once; if any is refused, nothing is written.
The profile sets the key usages; a request asking for CA powers, or for an extended key usage the
profile does not give (anyExtendedKeyUsage, codeSigning, clientAuth for server...), is refused.
Every name is checked (RFC 1034/5890 DNS names, canonical IPs, URIs, e-mails) and must be inside the
CA's name policy: <keystore>.settings.json beside the CA keystore (hapki ca set), plus --allow-domain
and --allow-ip. The CRL and AIA URLs set there go into the certificate, and the certificate is
appended to the CA's issuance record (<keystore>.issued.jsonl, hapki ca issued).

Examples:
  hapki sign msas1.csr --ca ca.p12 --ca-storepass env:CAPASS --san lbrhost.example.com --out msas1.pem
  hapki sign node.csr --ca ca.p12 --ca-storepass env:CAPASS --san ip:10.0.0.5 --allow-ip 10.0.0.0/8 --profile server-client --chain --out node.pem
  hapki sign sub.csr --ca root.p12 --ca-storepass env:CAPASS --profile ca --path-len 0 --allow-domain example.com --out sub.pem
  hapki csr gateway.p12 --alias msas1 --storepass env:STOREPASS --out - | hapki sign - --ca ca.p12 --ca-storepass env:CAPASS --out - > msas1.pem
  hapki sign *.csr --ca ca.p12 --ca-storepass env:CAPASS --out-dir certs/
  hapki sign token.csr --ca ca.p12 --ca-storepass env:CAPASS --profile token --not-after 2030-01-01 --out token.pem
  hapki sign msas1.csr --ca 'pkcs11:token=hapki-ca;object=ca' --pin env:HSM_PIN --san lbrhost.example.com --out msas1.pem
${PKCS11_HELP}
${EXIT_CODES_HELP}`;
