// what `hapki trust mesh --help` shows after the options (the man page is made from it: keep it as it is printed)
import { EXIT_CODES_HELP } from '../exit_codes.js';

export const TRUST_MESH_HELP = `
The node certificate is the leaf of the keystore's private-key entry (the only one, or #alias).
Aliases are the certificates' common names, lower-cased.

Examples:
  hapki trust mesh --master master.jks --slave slave1.jks --slave slave2.jks --out-dir trust --storepass env:STOREPASS
  hapki trust mesh --master gw1.p12 --slave gw2.p12 --mode ca --out-format jks --out-dir trust --storepass env:STOREPASS --update
${EXIT_CODES_HELP}`;
