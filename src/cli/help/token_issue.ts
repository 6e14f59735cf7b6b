// what `hapki token issue --help` shows after the options (the man page is made from it: keep it as it is printed)
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { PKCS11_HELP } from '../pkcs11_access.js';

export const TOKEN_ISSUE_HELP = `
Examples:
  hapki token issue --ca ca.p12 --ca-storepass env:CAPASS --subject "CN=msas-token,O=Example" --out token.p12 --outpass env:TOKENPASS
  hapki token issue --self-signed --subject "CN=msas-token" --bits 2048 --days 365 --out token.jks --outpass env:TOKENPASS
  hapki token issue --from node1.jks#ssl --from-storepass env:STOREPASS --out token.p12 --outpass env:TOKENPASS
  hapki token issue --key 'pkcs11:token=hapki-ca;object=msas-token' --pin env:HSM_PIN --ca 'pkcs11:token=hapki-ca;object=ca' --subject "CN=msas-token" --extractable --out token.p12 --outpass env:TOKENPASS
${PKCS11_HELP}
${EXIT_CODES_HELP}`;
