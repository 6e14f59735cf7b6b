// what `hapki probe --help` shows after the options (the man page is made from it: keep it as it is printed)
import { EXIT_CODES_HELP } from '../exit_codes.js';

export const PROBE_HELP = `
The server's chain is judged by hapki's path validator (purpose server), not by the TLS library.
With --cert, the client certificate is sent only to a server whose chain has passed: the handshake
that would present it is aborted, before it goes out, unless the server shows the leaf just judged.
A TLS 1.3 server turns a client certificate down after the handshake: the probe waits for that verdict
(an alert, or the server's session tickets; from a server that sends none, its answer to the
probe's close_notify after a short silence), within --timeout.
The probe asks for a stapled OCSP response and checks one the server sends (revoked fails the probe);
--ocsp also asks the responders themselves, within the same --timeout.

Examples:
  hapki probe master.example.com:8443 --trust trust/slave1-truststore.p12 --trustpass env:STOREPASS
  hapki probe 10.0.0.5:8443 --servername master.example.com --cert slave1.jks --storepass env:STOREPASS --trust trust/slave1-truststore.jks
  hapki probe www.example.com:443 --timeout 2s --json
  hapki probe gw.example.com:8443 --trust truststore.p12 --storepass env:STOREPASS --ocsp --ocsp-required
${EXIT_CODES_HELP}
  probe failures: ERR_PROBE_REFUSED, ERR_PROBE_DNS, ERR_PROBE_TIMEOUT, ERR_PROBE_HANDSHAKE,
  ERR_PROBE_CLIENT_CERT_REJECTED, or the chain's: ERR_CHAIN_UNTRUSTED, ERR_CHAIN_EXPIRED, ERR_HOSTNAME_MISMATCH,
  ERR_REVOKED, ERR_OCSP_INVALID, ERR_OCSP_FETCH, ...`;
