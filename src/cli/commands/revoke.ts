import type { Command } from 'commander';
import { REVOCATION_REASONS, revokeSerial, serialOf, type RevocationReason } from '../../authority/issuance_record.js';
import { UsageError } from '../../errors.js';
import { readCertificates } from '../../keystore/read_certificates.js';
import { safe } from '../../text/escape.js';
import { caFilesBase, openCaCertificate } from '../ca_location.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { jsonOption, PASSWORD_SOURCES, printResult } from '../options.js';
import { inputName, readInput } from '../stdio.js';

export function registerRevoke(program: Command, ctx: CliContext): void {
  program
    .command('revoke')
    .description("mark a certificate the CA issued revoked in its issuance record; `hapki crl` publishes it")
    .requiredOption('--ca <keystore>', 'the CA keystore whose record holds the certificate (no password needed)')
    .option('--serial <hex>', 'serial number of the certificate, hex (as `hapki ca issued` shows it)')
    .option('--cert <file>', 'the certificate itself (PEM or DER); - for standard input')
    .option('--ca-cert <file>', 'for a pkcs11: --ca: its certificate file, beside which its record is kept')
    .option('--ca-storepass <src>', `CA store password, only to read the CA certificate for a --cert the record lacks: ${PASSWORD_SOURCES}`)
    .option('--ca-alias <alias>', 'the CA entry whose certificate a --cert the record lacks must be signed under (default: the only private-key entry)')
    .option('--reason <reason>', `CRL reason: ${REVOCATION_REASONS.join('|')}`, 'unspecified')
    .addOption(jsonOption('{"serial", "subject", "revoked": {"reason", "at"}}'))
    .addHelpText('after', `\nA serial the record does not hold is refused (ERR_NOT_FOUND), and so is a --cert that is not the\ncertificate the record holds under its serial. A --cert the record does not hold but this CA signed\n(before hapki kept its record, or with openssl or keytool) is added to the record, revoked, as\n\`openssl ca -revoke\` does. Revoking again changes nothing, but for the reason updates RFC 5280\nallows: a certificateHold made permanent, or any reason made keyCompromise, or for a CA certificate\ncACompromise (the revocation date stays). cACompromise is refused for an end-entity certificate\n(ERR_INVALID_ARGUMENT): its key's compromise is keyCompromise.\n\nExamples:\n  hapki revoke --ca ca.p12 --serial 5f3a09c1d2 --reason keyCompromise\n  hapki revoke --ca ca.p12 --cert msas1.pem --reason superseded && hapki crl --ca ca.p12 --ca-storepass env:CAPASS --out ca.crl\n${EXIT_CODES_HELP}`)
    .action(async (options: { ca: string; caCert?: string; caStorepass?: string; caAlias?: string; serial?: string; cert?: string; reason: string; json?: boolean }) => {
      if ((options.serial === undefined) === (options.cert === undefined)) throw new UsageError('give --serial or --cert (one of them)');
      if (!(REVOCATION_REASONS as readonly string[]).includes(options.reason)) throw new UsageError(`--reason must be one of ${REVOCATION_REASONS.join(', ')}`);
      const certificate = options.cert === undefined ? undefined : readCertificates(await readInput(ctx, options.cert), inputName(options.cert))[0]!;
      const serial = options.serial ?? serialOf(certificate!);
      const caCertificate = async (): Promise<Uint8Array> => (await openCaCertificate(ctx, options.ca, options)).certificate;
      const revoked = await revokeSerial(caFilesBase(options.ca, options.caCert), serial, options.reason as RevocationReason, new Date(), certificate, caCertificate);
      printResult(ctx, options.json, { serial: revoked.serial, subject: revoked.subject, revoked: revoked.revoked }, () => safe`revoked ${revoked.serial} (${revoked.subject}) at ${revoked.revoked!.at}: ${revoked.revoked!.reason}\n`);
    });
}
