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
import { openStoreForCli } from '../open_store.js';
import { parseDate } from '../options.js';
import { PROBE_HELP } from '../help/probe.js';

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
    .addHelpText('after', PROBE_HELP)
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
