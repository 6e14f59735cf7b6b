// what `hapki trust check --help` shows after the options (the man page is made from it: keep it as it is printed)
import { EXIT_CODES_HELP } from '../exit_codes.js';

export const TRUST_CHECK_HELP = `
"PASS a -> b" means a's trust store accepts b's certificate chain. Host names are not checked (see hapki probe).

With --live --cluster, hapki connects instead: from the master to each slave's endpoint: and from
each slave to the master's, presenting the connecting node's own certificate and judging the
server with its own trust store (its certificate goes only to a server already judged), and
prints a Pass/Fail table with the reason of each Fail. All directions are tried at once, each
within --timeout: a node that is down, or that accepts and never answers, fails its directions only.

Examples:
  hapki trust check --live --cluster cluster.yaml
  hapki trust check --master master.jks --slave slave1.jks --slave slave2.jks --trust-dir trust --storepass env:STOREPASS
  hapki trust check --master gw1.p12 --slave gw2.p12 --trust-store-for gw1.p12=/etc/gw/trust.jks --trust-store-for gw2.p12=t2.jks --json
  hapki trust check --master master.jks --slave slave1.jks --trust-dir trust --crl ca.crl --crl-required
${EXIT_CODES_HELP}`;
