// what `hapki ca --help` shows after the options (the man page is made from it: keep it as it is printed)
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { PKCS11_HELP } from '../pkcs11_access.js';

export const CA_HELP = `\nExamples:\n  hapki ca init --subject "CN=Example Root CA,O=Example" --out ca.p12 --outpass env:CAPASS\n${EXIT_CODES_HELP}`;

export const CA_INIT_HELP = `
Examples:
  hapki ca init --subject "CN=Example Root CA,O=Example" --out ca.p12 --outpass env:CAPASS --cert-out ca.pem
  hapki ca init --subject "CN=Example Root CA" --kty ec --curve P-384 --days 7300 --path-len 1 --out root.p12 --outpass env:CAPASS
  hapki ca init --subject "CN=Example Gateway CA" --ca root.p12 --ca-storepass env:CAPASS --path-len 0 --out sub.p12 --outpass env:SUBPASS
  hapki ca init --subject "CN=Example HSM Root CA" --key 'pkcs11:token=hapki-ca;object=ca' --pin env:HSM_PIN --cert-out ca.pem
${PKCS11_HELP}
${EXIT_CODES_HELP}`;
