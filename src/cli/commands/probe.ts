import type { Command } from 'commander';
import { HapkiError, InvalidArgumentError, ProbeError, UsageError, type HapkiErrorCode, type ProbeErrorCode } from '../../errors.js';
import { unlockedKey } from '../../keystore/unlocked_key.js';
import { parseDuration } from '../../trust/duration.js';
import { nodeKeyEntry, parseNodeRef } from '../../trust/node_ref.js';
import { probeTls, type ProbeOptions } from '../../trust/probe.js';
import { parseProbeTarget } from '../../trust/probe_target.js';
import { renderProbe } from '../../trust/probe_text.js';
import { trustAnchorsOf } from '../../trust/trust_check.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { openStoreForCli } from '../open_store.js';
import { parseDate } from '../options.js';

interface ProbeCliOptions {
  trust?: string;
  cert?: string;
  storepass?: string;
  trustpass?: string;
  keypass?: string;
  servername?: string;
  timeout: string;
  at?: string;
  json?: boolean;
  ocsp?: boolean;
  ocspRequired?: boolean;
}

export function registerProbe(program: Command, ctx: CliContext): void {
  program
    .command('probe')
    .description('shake hands with a TLS server, show the chain it presents and judge it (optionally with a client certificate)')
    .argument('<host:port>', 'the server, e.g. master.example.com:8443 or [::1]:8443 (port default 443)')
    .option('--trust <store>', 'trust store whose certificates are the anchors (default: the root certificates bundled with Node)')
    .option('--cert <keystore>', 'present this key entry and its chain, "<keystore>#<alias>" to pick one (mutual TLS, as a slave does)')
    .option('--storepass <src>', 'password of the --cert keystore: pass:TEXT, env:NAME, file:PATH, fd:N or stdin')
    .option('--keypass <src>', 'key password of the --cert entry, where it differs')
    .option('--trustpass <src>', 'password of the --trust store (default: --storepass; JKS and PEM read without)')
    .option('--servername <host>', 'SNI and the name the certificate must carry (default: the host; an IP address must be an iPAddress name)')
    .option('--timeout <duration>', 'give up after this long, in all: 500ms, 5s, 2m', '5s')
    .option('--at <date>', 'judge validity at this date (ISO 8601) instead of now')
    .option('--ocsp', "also ask the OCSP responders the chain names about what the server did not staple (revoked -> ERR_REVOKED)")
    .option('--ocsp-required', 'with --ocsp: a certificate whose status stays unknown fails (ERR_REVOCATION_UNKNOWN)')
    .option('--json', 'print JSON: {"target", "hostname"?, "handshake", "protocol"?, "cipher"?, "chain": [...], "stapled"?, "revocation"?, "clientCertificate"?, "ok", "code"?, "reason"?}')
    .addHelpText('after', `
The server's chain is judged by hapki's path validator (purpose server), not by the TLS library.
With --cert, the client certificate is sent only to a server whose chain has passed: the handshake
that would present it is aborted, before it goes out, unless the server shows the leaf just judged.
A TLS 1.3 server turns a client certificate down after the handshake: the probe waits for that verdict
(an alert, or the server's session tickets), within --timeout.
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
  ERR_REVOKED, ERR_OCSP_INVALID, ERR_OCSP_FETCH, ...`)
    .action(async (targetText: string, options: ProbeCliOptions) => {
      const target = parseProbeTarget(targetText);
      const timeoutMs = parseDuration(options.timeout);
      const at = parseDate(options.at, '--at');
      if (options.ocspRequired && !options.ocsp) throw new UsageError('--ocsp-required needs --ocsp');
      const probe: ProbeOptions = { timeoutMs, ...(at ? { at } : {}), ...(options.servername === undefined ? {} : { servername: options.servername }) };
      if (options.ocsp) probe.ocsp = { fetch: true, required: options.ocspRequired ?? false, timeoutMs };
      if (options.cert !== undefined) {
        const ref = parseNodeRef(options.cert);
        const entry = nodeKeyEntry((await openStoreForCli(ctx, ref.path, options)).store, ref.name, ref.alias);
        if (entry.chain.length === 0) throw new InvalidArgumentError(`${options.cert}: entry "${entry.alias}" has no certificate to present`);
        probe.client = { key: unlockedKey(entry), chain: entry.chain };
      }
      if (options.trust !== undefined) {
        const trustpass = options.trustpass ?? options.storepass;
        probe.trusted = trustAnchorsOf((await openStoreForCli(ctx, options.trust, trustpass === undefined ? {} : { storepass: trustpass }, '--trustpass')).store, 'server');
      }
      const result = await probeTls(target, probe);
      ctx.io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderProbe(result));
      if (result.ok) return;
      const reason = result.reason ?? 'probe failed';
      throw result.code?.startsWith('ERR_PROBE_') ? new ProbeError(result.code as ProbeErrorCode, reason) : new HapkiError(result.code as HapkiErrorCode, reason);
    });
}
