// what `hapki csr --help` shows after the options (the man page is made from it: keep it as it is printed)
import { EXIT_CODES_HELP } from '../exit_codes.js';

export const CSR_HELP = `
The request carries the entry certificate's subject and its current names plus every --san.
With --new-key the keystore keeps its format and password, and the old file is kept as <keystore>.bak.

Examples:
  hapki csr gateway.jks --alias msas1 --storepass env:STOREPASS --out msas1.csr
  hapki csr gateway.p12 --alias msas1 --san lbrhost.example.com --san ip:10.0.0.5 --storepass env:STOREPASS --out msas1.csr
  hapki csr --new-key --subject "CN=msas2.example.com,O=Example" --kty ec --keystore gateway.p12 --alias msas2 --storepass env:STOREPASS --out msas2.csr
${EXIT_CODES_HELP}`;
