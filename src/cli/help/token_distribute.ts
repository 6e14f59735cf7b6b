// what `hapki token distribute --help` shows after the options (the man page is made from it: keep it as it is printed)
import { EXIT_CODES_HELP } from '../exit_codes.js';

export const TOKEN_DISTRIBUTE_HELP = `
Every instance is read and prepared first; nothing is written unless all of them can be. Each file
is locked, and all are committed as one change set (the old files kept as <file>.bak): every
instance gets the token or none does, even if hapki is killed (the next hapki command, or
hapki recover, finishes or undoes it). Other entries, sealed keys included, are kept.

Examples:
  hapki token distribute token.p12 --storepass env:TOKENPASS --to node1.jks --to node2.p12 --to-storepass env:STOREPASS
  hapki token distribute token.p12#token --storepass env:TOKENPASS --instances cluster.txt --dry-run
  hapki token distribute new-token.p12 --storepass env:TOKENPASS --instances cluster.txt --stage
  hapki token distribute new-token.p12 --storepass env:TOKENPASS --instances cluster.txt --activate
  hapki token distribute --alias token --instances cluster.txt --retire
${EXIT_CODES_HELP}`;
