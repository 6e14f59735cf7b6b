import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { PROFILES, type ProfileName } from '../../issue/profiles.js';
import { parseSan } from '../../issue/san.js';
import { prepareSigning, signedFiles } from '../../authority/sign_requests.js';
import { batchOutputs, refuseExisting, reportError } from '../batch_outputs.js';
import type { CliContext } from '../context.js';
import { note, warn } from '../io.js';
import { addCaKeyOptions, caFilesBase, caInputs, openCaForCli, type CaLocationOptions } from '../ca_location.js';
import { collect, parseWholeNumber, deprecatedOption, jsonOption, parseDate, parseDays, PASSWORD_SOURCES, printResult } from '../options.js';
import { describeCertificate } from '../../cert/describe.js';
import { renderIssued } from '../render/issued_text.js';
import { commitOutputs, outputName, readInput, refuseOutputOverInput, summaryStream } from '../stdio.js';
import { SIGN_HELP } from '../help/sign.js';

interface SignOptions extends CaLocationOptions {
  ca: string;
  json?: boolean;
  san?: string[];
  profile: string;
  days?: string;
  notAfter?: string;
  out?: string;
  outDir?: string;
  chain?: boolean;
  subject?: string;
  replaceSan?: boolean;
  allowWeak?: boolean;
  allowCa?: boolean;
  allowWildcard?: boolean;
  allowDomain?: string[];
  allowIp?: string[];
  allowAnyName?: boolean;
  allowLongValidity?: boolean;
  pathLen?: string;
  force?: boolean;
}

export function registerSign(program: Command, ctx: CliContext): void {
  const sign = program
    .command('sign')
    .description('issue certificates for PKCS#10 requests with a CA keystore entry or a CA key in an HSM (one or many at once)')
    .argument('<csr...>', 'certificate requests (PEM or DER), or - for standard input')
    .requiredOption('--ca <keystore>', "keystore holding the CA key and certificate, or the CA key in an HSM: 'pkcs11:token=<label>;object=<label>'")
    .option('--ca-alias <alias>', 'the CA entry (default: the only private-key entry)')
    .option('--ca-storepass <src>', `CA store password: ${PASSWORD_SOURCES}`)
    .option('--ca-keypass <src>', 'CA key password, where it differs from the store password')
    .option('--san <name>', 'add a subject alternative name: <host>, dns:<host>, ip:<addr>, email:<addr>, uri:<uri> (repeatable)', collect)
    .option('--replace-san', "use only the --san names, not the request's nor its CN (keytool's behaviour)")
    .option('--profile <profile>', `key usages: ${PROFILES.join('|')}`, 'server')
    .option('--days <days>', 'validity in days (default 397), cut to the CA certificate\'s own end')
    .option('--not-after <date>', 'validity end instead of --days (ISO 8601, e.g. 2027-06-30)')
    .option('--subject <dn>', "subject instead of the request's")
    .option('--out <file>', 'certificate output for one request, PEM (not overwritten without --force); - for standard output')
    .option('--out-dir <dir>', 'write each certificate as <dir>/<request name>.pem (msas1.csr -> msas1.pem); for several requests')
    .option('--chain', 'append the CA chain to the output')
    .option('--allow-weak', 'sign RSA keys under 2048 bits')
    .option('--allow-ca', 'sign a request that asks for CA:TRUE, keyCertSign, cRLSign or nameConstraints (issued per --profile)')
    .option('--allow-wildcard', 'sign a wildcard DNS name (only "*" as the whole leftmost label, never over a public suffix such as co.uk)')
    .option('--allow-domain <domain>', "add a DNS suffix to the CA's name policy for this run (repeatable)", collect)
    .option('--allow-ip <cidr>', "add an IP range to the CA's name policy for this run (repeatable)", collect)
    .option('--allow-any-name', "sign names outside the CA's name policy (warns)")
    .option('--allow-long-validity', 'sign a leaf valid longer than 398 days')
    .option('--path-len <n>', 'pathLenConstraint of a sub-CA (--profile ca; default 0)')
    .option('--force', 'overwrite the output file (keeping it as <file>.bak)')
    .addOption(jsonOption('{"written": [files], "certificate": {"subject", "issuer", "serial", "notBefore", "notAfter", "sans", "sha256", ...}}'))
    .addHelpText('after', SIGN_HELP)
    .action(async (csrPaths: string[], options: SignOptions) => {
      if ((options.out === undefined) === (options.outDir === undefined)) throw new UsageError('give --out <file> (one request) or --out-dir <dir>');
      if (options.out !== undefined && csrPaths.length > 1) throw new UsageError(`${csrPaths.length} requests given: write them with --out-dir <dir>`);
      if (options.outDir !== undefined && csrPaths.includes('-')) throw new UsageError('standard input has no name to write a certificate under: use --out');
      refuseOutputOverInput([['--out', options.out]], [['the request', csrPaths], ...caInputs(options.ca, options.caCert)]);
      const days = parseDays(options.days, '--days');
      const notAfter = parseDate(options.notAfter, '--not-after');
      const pathLength = parseWholeNumber(options.pathLen, '--path-len');
      // the request's consistency (profile, --days or --not-after, --replace-san, --path-len) is checked there, before the CA is read
      const signer = await prepareSigning(caFilesBase(options.ca, options.caCert), {
        allowDomains: options.allowDomain ?? [],
        allowIps: options.allowIp ?? [],
        allowWildcard: options.allowWildcard ?? false,
        allowAnyName: options.allowAnyName ?? false,
        allowLongValidity: options.allowLongValidity ?? false,
        ...(pathLength === undefined ? {} : { pathLength }),
        sans: (options.san ?? []).map(parseSan),
        replaceSans: options.replaceSan ?? false,
        profile: options.profile as ProfileName,
        ...(days === undefined ? {} : { days }),
        ...(notAfter ? { notAfter } : {}),
        ...(options.subject === undefined ? {} : { subject: options.subject }),
        allowWeak: options.allowWeak ?? false,
        allowCa: options.allowCa ?? false,
        chain: options.chain ?? false,
        by: 'sign',
      });
      const print = summaryStream(ctx, options.out, options.json);
      const outputs = options.out !== undefined ? [options.out] : batchOutputs(csrPaths, options.outDir!, '.pem');
      // a request written as <dir>/<name>.pem would be replaced by its own certificate
      refuseOutputOverInput(outputs.map((o) => ['--out-dir', o] as const), [['the request', csrPaths], ...caInputs(options.ca, options.caCert)]);
      if (!options.force) await refuseExisting(outputs.filter((o) => o !== '-'));
      const requests = await Promise.all(csrPaths.map(async (name) => ({ name, csr: await readInput(ctx, name) })));
      const ca = await openCaForCli(ctx, options.ca, options);
      const { issued, record, pems, warnings } = await signer.sign(requests, ca.issuer, (e) => reportError(ctx, e)).finally(() => ca.close());
      for (const w of warnings) warn(ctx.io, w);
      // every certificate of a batch and its lines in the CA's issuance record, or none (standard output after the record)
      await commitOutputs(ctx, signedFiles({ pems, record }, outputs, { force: options.force ?? false, createParents: options.outDir !== undefined }));
      for (const out of outputs) note(ctx.io, `wrote ${outputName(out)}`);
      const certificates = issued.map((signed) => describeCertificate(signed.certificate));
      const text = (): string => issued.map((signed) => renderIssued(signed.certificate)).join('');
      if (options.out === '-') print(text());
      else printResult(ctx, options.json, options.out !== undefined ? { written: outputs, certificate: certificates[0] } : { written: outputs, certificates }, text);
    });
  addCaKeyOptions(sign);
  deprecatedOption(sign, ctx, '--storepass <src>', '--ca-storepass');
  deprecatedOption(sign, ctx, '--keypass <src>', '--ca-keypass');
}
