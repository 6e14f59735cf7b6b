import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { PathValidationError, UsageError } from '../../errors.js';
import { inputName, oneStdio, readInput } from '../stdio.js';
import { readCertificates } from '../../issue/read_certificates.js';
import { otherUsesNote, subjectCertificates, trustAnchorsFor, type CertificateSource } from '../../trust/path_sources.js';
import { validatePath } from '../../trust/validate_path.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { openStoreForCli } from '../open_store.js';
import { fetchCrlsFor } from '../../revocation/crl_fetch.js';
import { parseDuration } from '../../trust/duration.js';
import { addPathFlags, pathOptionsFromFlags, type PathFlags } from '../path_flags.js';
import { parseDate } from '../options.js';
import { renderVerifyJson, renderVerifyText } from '../render/verify_text.js';

interface VerifyOptions extends PathFlags {
  trust: string;
  untrusted?: string;
  crlFetch?: boolean;
  fetchTimeout: string;
  hostname?: string;
  purpose?: string;
  at?: string;
  json?: boolean;
  storepass?: string;
  trustpass?: string;
}

export function registerVerify(program: Command, ctx: CliContext): void {
  const command = program
    .command('verify')
    .description('validate a certificate chain against trusted certificates (RFC 5280 path validation)')
    .argument('<subject>', 'PEM/DER certificate file (first = leaf, rest = intermediates; - for standard input), or <keystore>[#<alias>] (default: its only key entry)')
    .requiredOption('--trust <store>', 'trust anchors: every certificate of a keystore (PKCS#12, JKS, JCEKS) or PEM bundle; - for standard input')
    .option('--crl-fetch', 'also fetch the CRLs of the certificates\' http:// distribution points (no redirects, 32 MiB; failure: ERR_CRL_FETCH)')
    .option('--fetch-timeout <duration>', 'with --crl-fetch or --ocsp: per CRL or OCSP query, 500ms, 10s, 1m', '10s')
    .option('--untrusted <bundle>', 'more intermediate certificates (PEM bundle) to build the path from; - for standard input')
    .option('--hostname <host>', 'the DNS name or IP address the leaf must be for (subjectAltName only)')
    .option('--purpose <purpose>', 'required extended key usage: server|client')
    .option('--at <date>', 'validate at this time instead of now (ISO 8601)')
    .option('--json', 'print JSON: {"valid", "code"?, "reason"?, "chain": [{"subject", "sha256"}], "validPolicies"?}')
    .option('--storepass <src>', "the subject keystore's password: pass:TEXT, env:NAME, file:PATH, fd:N or stdin")
    .option('--trustpass <src>', "the trust store's password (JKS trust stores open without one, unverified)");
  addPathFlags(command)
    .addHelpText(
      'after',
      `
The leaf and every CA are checked for validity dates, signatures, basicConstraints, keyCertSign,
pathLenConstraint, name constraints (directory names compared as RFC 5280 7.1 says), certificate
policies (RFC 5280 6.1), signature algorithms (SHA-1 and MD5 refused, DSA not supported) and
unknown critical extensions; with --crl, every certificate below the anchor against the CRLs
(RFC 5280 6.3: signer and cRLSign, thisUpdate/nextUpdate, distribution points, reasons, delta CRLs);
with --ocsp, each certificate whose status the CRLs leave open by its OCSP responder (RFC 6960: the
CA or a delegated id-kp-OCSPSigning responder it issued, nonce, thisUpdate/nextUpdate within 5 minutes
of skew; a responder that cannot be asked or trusted fails); the leaf's extended key usage
for --purpose and its subjectAltName for --hostname (wildcards only as the whole left-most label).
A leaf that is itself in the trust store is valid on its own (a directly trusted self-signed peer).

Examples:
  hapki verify msas1.pem --trust ca.pem --hostname lbrhost.example.com --purpose server
  hapki verify gateway.p12#msas1 --storepass env:STOREPASS --trust truststore.jks --purpose client
  hapki verify leaf.pem --untrusted intermediates.pem --trust /etc/ssl/certs/java/cacerts --at 2027-01-01 --json
  hapki verify leaf.pem --trust ca.pem --crl-fetch --crl-required --fetch-timeout 5s
  hapki verify leaf.pem --trust ca.pem --policy 2.23.140.1.2.1 --require-explicit-policy
  hapki verify leaf.pem --trust root.pem --untrusted sub.pem --crl root.crl --crl sub.crl --crl-required
  hapki verify leaf.pem --untrusted sub.pem --trust root.pem --ocsp --fetch-timeout 3s
  hapki verify www.pem --untrusted sub.pem --trust /etc/ssl/certs/ca-certificates.crt --hostname www.example.com --web-pki
${EXIT_CODES_HELP}
  (an invalid chain exits 1 with its code: ERR_CHAIN_UNTRUSTED, ERR_CHAIN_EXPIRED, ERR_HOSTNAME_MISMATCH,
  ERR_WEAK_SIGNATURE, ERR_POLICY, ERR_REVOKED, ERR_REVOCATION_UNKNOWN, ...; an unreadable CRL:
  ERR_CRL_FORMAT; a CRL that cannot be fetched: ERR_CRL_FETCH; OCSP: ERR_OCSP_FETCH, ERR_OCSP_FORMAT,
  ERR_OCSP_RESPONDER (tryLater, unauthorized, ...), ERR_OCSP_INVALID (signer, nonce, stale))`,
    )
    .action(async (subject: string, options: VerifyOptions) => {
      if (options.purpose !== undefined && options.purpose !== 'server' && options.purpose !== 'client') throw new UsageError('--purpose must be server or client');
      const at = parseDate(options.at, '--at');
      oneStdio('input', [['<cert-or-keystore>', subject], ['--trust', options.trust], ['--untrusted', options.untrusted], ['--crl', options.crl]]);
      const fetchTimeout = parseDuration(options.fetchTimeout);
      const [path, alias] = keystoreReference(subject);
      const [leaf, ...rest] = await subjectCertificates(source(ctx, path, options.storepass), alias);
      const purpose = options.purpose as 'server' | 'client' | undefined;
      const { anchors: trusted, otherUses } = await trustAnchorsFor(source(ctx, options.trust, options.trustpass, '--trustpass'), purpose);
      const untrusted = options.untrusted === undefined ? [] : readCertificates(await readInput(ctx, options.untrusted), inputName(options.untrusted));
      const result = await validatePath(leaf!, {
        trusted,
        untrusted: [...rest, ...untrusted],
        ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
        ...(purpose === undefined ? {} : { purpose }),
        ...(at ? { at } : {}),
        ...(await pathOptionsFromFlags(options, options.crlFetch ? await fetchCrlsFor([leaf!, ...rest, ...untrusted], { timeoutMs: fetchTimeout }) : undefined, fetchTimeout, (file) => readInput(ctx, file))),
      });
      if (result.code === 'ERR_CHAIN_UNTRUSTED' && otherUses.length > 0) result.reason += otherUsesNote(otherUses, purpose);
      ctx.io.stdout(options.json ? renderVerifyJson(result) : renderVerifyText(result, Boolean(options.policy || options.requireExplicitPolicy)));
      if (!result.valid) throw new PathValidationError(result.code!, result.reason!);
    });
}

/** `<keystore>#<alias>` names an entry, unless a file has that very name. */
function keystoreReference(subject: string): [string, string | undefined] {
  const hash = subject.lastIndexOf('#');
  return hash > 0 && !existsSync(subject) ? [subject.slice(0, hash), subject.slice(hash + 1)] : [subject, undefined];
}

/** A file or standard input, as certificates or else as a keystore opened with the password the flag gives. */
function source(ctx: CliContext, path: string, storepass: string | undefined, passwordFlag?: string): CertificateSource {
  return { read: () => readInput(ctx, path), open: async () => (await openStoreForCli(ctx, path, storepass === undefined ? {} : { storepass }, passwordFlag)).store };
}
