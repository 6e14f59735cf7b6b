import type { Command } from 'commander';
import type { AuditConfig } from '../../audit/config.js';
import { readAuditConfigFile } from '../../audit/config_file.js';
import { auditRenderer } from '../../audit/report/formats.js';
import { auditOptionsFrom, combineAuditOptions, type AuditRequest } from '../../audit/audit_options.js';
import { CHECK_IDS } from '../../audit/rules/index.js';
import { runAudit } from '../../audit/run_audit.js';
import { loadClusterWithSsh } from '../../cluster/cluster_ssh.js';
import { clusterAuditOptions } from '../../cluster/cluster_audit_options.js';
import { UsageError } from '../../errors.js';
import { warn } from '../io.js';
import { readCrlFiles } from '../../revocation/crl_bytes.js';
import { oneStdio, readInput } from '../stdio.js';
import { parseDuration } from '../../trust/duration.js';
import type { CliContext } from '../context.js';
import { collect, parseDate } from '../options.js';
import { addParallelOption } from '../ssh_cli.js';
import { AUDIT_HELP } from '../help/audit.js';

/** commander's option object; the revocation switches are the request's own fields, as given. */
interface AuditCliOptions extends Pick<AuditRequest, 'crlFetch' | 'ocsp' | 'crlRequired' | 'ocspRequired' | 'fetchTimeout' | 'fetchDeadline'> {
  endpoint?: string[];
  warn?: string;
  crit?: string;
  format?: string;
  json?: boolean;
  config?: string;
  at?: string;
  expectSan?: string[];
  tokenGroup?: string[];
  trustGroup?: string[];
  ignore?: string[];
  exclude?: string[];
  storepass?: string;
  timeout: string;
  cluster?: string;
  crl?: string[];
}

export function registerAudit(program: Command, ctx: CliContext): void {
  addParallelOption(program.command('audit'))
    .description('certificate expiry and cluster health, for cron and monitoring: keystores, certificate files, directories, TLS endpoints')
    .argument('[path...]', 'keystores, certificate files and directories (searched recursively; files judged by content)')
    .option('--endpoint <host:port>', 'a TLS endpoint whose presented chain is audited (repeatable)', collect)
    .option('--warn <duration>', 'WARNING for certificates expiring within this: 30d, 12h, 2w or days (default 30d)')
    .option('--crit <duration>', 'CRITICAL for certificates expiring within this (default 7d)')
    .option('--format <format>', 'report format: text|json|prometheus|nagios (default: text)')
    .option('--json', 'the same as --format json')
    .option('--cluster <file>', "audit exactly a cluster file's stores, with its thresholds, load-balancer names, token group and trust group")
    .option('--config <file>', 'YAML: passwords (glob -> source), warn, crit, expect-san, ignore, paths, endpoints, token-groups, trust-groups, crl, crl-fetch, ocsp, crl-required, ocsp-required, fetch-timeout, fetch-deadline')
    .option('--at <date>', 'judge at this date (ISO 8601) instead of now')
    .option('--expect-san <name>', 'a name every node certificate must carry, e.g. the load balancer\'s (repeatable)', collect)
    .option('--token-group <alias>=<stores>', 'stores (comma-separated) that must hold the same token entry (repeatable)', collect)
    .option('--trust-group <spec>', 'master=<store>,slaves=<store>,<store>: each side must trust the other (repeatable)', collect)
    .option('--ignore <check[:sha256]>', `silence a check, or a check for one certificate (repeatable); checks: ${CHECK_IDS.join(', ')}`, collect)
    .option('--exclude <glob>', "don't audit what this matches: a name (*.old, archive) anywhere, or a path (/opt/msas/archive/**) (repeatable); hapki's own .bak, temp and lock files never are", collect)
    .option('--storepass <src>', 'password for stores no --config rule matches: env:NAME, file:PATH, fd:N, stdin, pass:TEXT')
    .option('--crl <file>', 'a CRL (PEM or DER, repeatable; - for standard input): a certificate it revokes, checked as verify checks, is CRITICAL (revoked)', collect)
    .option('--crl-fetch', "also fetch the CRLs of the audited certificates' http:// distribution points, each once (no redirects, 32 MiB)")
    .option('--ocsp', "ask each audited certificate's OCSP responder (authorityInfoAccess, http://, nonce, no redirects)")
    .option('--crl-required', 'with --crl or --crl-fetch: a certificate whose status stays unknown is a WARNING (revocation-unknown)')
    .option('--ocsp-required', 'with --ocsp: a certificate whose status stays unknown is a WARNING (revocation-unknown)')
    .option('--fetch-timeout <duration>', 'with --crl-fetch or --ocsp: per CRL or OCSP query (default 10s)')
    .option('--fetch-deadline <duration>', 'with --crl-fetch or --ocsp: for all of them together (default 60s); the rest is UNKNOWN (revocation-failed)')
    .option('--timeout <duration>', 'per endpoint: 500ms, 5s, 2m', '5s')
    .addHelpText('after', AUDIT_HELP)
    .action(async (paths: string[], options: AuditCliOptions) => {
      if (options.json && options.format !== undefined && options.format !== 'json') throw new UsageError('give --json or --format, not both');
      const format = options.json ? 'json' : options.format ?? 'text';
      const render = auditRenderer(format);
      const config = options.config === undefined ? undefined : await loadConfig(ctx, options.config);
      const request: AuditRequest = { paths, endpoints: options.endpoint, warn: options.warn, crit: options.crit, expectSan: options.expectSan, tokenGroups: options.tokenGroup, trustGroups: options.trustGroup, ignore: options.ignore, exclude: options.exclude, storepass: options.storepass,
        crlFetch: options.crlFetch, ocsp: options.ocsp, crlRequired: options.crlRequired, ocspRequired: options.ocspRequired, fetchTimeout: options.fetchTimeout, fetchDeadline: options.fetchDeadline };
      const at = parseDate(options.at, '--at');
      const showProgress = process.stderr.isTTY === true;
      const clusterFile = options.cluster === undefined ? undefined : await loadClusterWithSsh(options.cluster, { env: ctx.io.env, warn: ctx.passwords.fileWarning });
      const cluster = clusterFile === undefined ? undefined : clusterAuditOptions(clusterFile, { env: ctx.io.env, warn: ctx.passwords.fileWarning });
      const asked = auditOptionsFrom(request, config, (spec, what) => ctx.passwords.resolve(spec, what), cluster !== undefined);
      oneStdio('input', [['--crl', options.crl]]);
      // `-` on the command line is standard input; in the configuration it is a file's name
      const crls = [...(await readCrlFiles(options.crl ?? [], (path, max) => readInput(ctx, path, max))), ...(await readCrlFiles(config?.crls ?? []))];
      const report = await runAudit({
        crls,
        ...(cluster ? combineAuditOptions(cluster, asked) : asked),
        ...(at ? { at } : {}),
        endpointTimeoutMs: parseDuration(options.timeout),
        // progress only for a person watching: a cron job's mail or a collector file stays clean
        ...(showProgress ? { onProgress: progress(ctx) } : {}),
      });
      if (showProgress) ctx.io.stderr('\r\x1b[K');
      ctx.io.stdout(render(report));
      ctx.exitCode = report.exitCode;
    });
}

async function loadConfig(ctx: CliContext, path: string): Promise<AuditConfig> {
  const { config, warning } = await readAuditConfigFile(path);
  if (warning) warn(ctx.io, warning);
  return config;
}

function progress(ctx: CliContext): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    ctx.io.stderr(`\rhapki audit: ${done}/${total} files`);
  };
}
