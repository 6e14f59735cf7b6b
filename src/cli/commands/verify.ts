import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { PathValidationError, UsageError } from '../../errors.js';
import { inputName, oneStdio, readInput } from '../stdio.js';
import { readCertificates } from '../../keystore/read_certificates.js';
import { otherUsesNote, subjectCertificates, trustAnchorsFor, type CertificateSource } from '../../trust/path_sources.js';
import { validatePath } from '../../trust/validate_path.js';
import type { CliContext } from '../context.js';
import { openStoreForCli } from '../open_store.js';
import { fetchCrlsFor } from '../../revocation/crl_fetch.js';
import { parseDuration } from '../../trust/duration.js';
import { addPathFlags, pathOptionsFromFlags, type PathFlags } from '../path_flags.js';
import { parseDate } from '../options.js';
import { renderVerifyJson, renderVerifyText } from '../render/verify_text.js';
import { VERIFY_HELP } from '../help/verify.js';

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
    .addHelpText('after', VERIFY_HELP)
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
