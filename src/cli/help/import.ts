// what `hapki import --help` shows after the options (the man page is made from it: keep it as it is printed)
import { EXIT_CODES_HELP } from '../exit_codes.js';

export const IMPORT_HELP = `
A reply must certify the entry's own key, and its chain must end in a root the keystore trusts,
or one confirmed with --trust-root (or at the prompt on a terminal); that root is then added too.
Every signature below that root must use SHA-256 or better (ERR_WEAK_SIGNATURE, as verify).

Examples:
  hapki import gateway.jks --alias msas1 --reply msas1.pem --ca ca.pem --trust-root 5f:3a:...:9e --storepass env:STOREPASS
  hapki import gateway.jks --alias example-root --trusted ca.pem --storepass env:STOREPASS
  hapki import gateway.jks --alias msas1 --reply msas1-chain.pem --storepass env:STOREPASS
  hapki sign msas1.csr --ca ca.p12 --ca-storepass env:CAPASS --out - | hapki import gateway.jks --alias msas1 --reply - --ca ca.pem --storepass env:STOREPASS
${EXIT_CODES_HELP}`;
