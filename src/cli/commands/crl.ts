import type { Command } from 'commander';
import { publishCrl } from '../../authority/publish_crl.js';
import { safe } from '../../text/escape.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { addCaKeyOptions, caFilesBase, caInputs, openCaForCli, type CaLocationOptions } from '../ca_location.js';
import { commitOutputs, outputName, refuseOutputOverInput, summaryStream } from '../stdio.js';
import { jsonOption, parseDays, PASSWORD_SOURCES, printResult } from '../options.js';

export function registerCrl(program: Command, ctx: CliContext): void {
  const crl = program
    .command('crl')
    .description("sign and write the CA's CRL (v2: CRL number, AKI, reason codes, nextUpdate) from its issuance record")
    .requiredOption('--ca <keystore>', "keystore holding the CA key and certificate, or the CA key in an HSM: 'pkcs11:token=<label>;object=<label>' (with --ca-cert, beside which its record is kept)")
    .option('--ca-alias <alias>', 'the CA entry (default: the only private-key entry)')
    .option('--ca-storepass <src>', `CA store password: ${PASSWORD_SOURCES}`)
    .option('--ca-keypass <src>', 'CA key password, where it differs from the store password')
    .requiredOption('--out <file>', 'the CRL, DER (PEM when the name ends in .pem); replaced if it exists; - for standard output (DER)')
    .option('--days <days>', 'nextUpdate this many days from now', '7')
    .addOption(jsonOption('{"written": [file], "number", "thisUpdate", "nextUpdate", "revoked": n}'))
    .addHelpText('after', `\nPublish the file at the URL set with "hapki ca set --crl-url"; run again before nextUpdate.\n\nExamples:\n  hapki crl --ca ca.p12 --ca-storepass env:CAPASS --out /srv/pki/ca.crl --days 7\n  openssl crl -in /srv/pki/ca.crl -inform DER -CAfile ca.pem -noout -verify\n  hapki crl --ca ca.p12 --ca-storepass env:CAPASS --out - | openssl crl -inform DER -noout -text
  hapki crl --ca 'pkcs11:token=hapki-ca;object=ca' --ca-cert ca.pem --pin env:HSM_PIN --out ca.crl\n${EXIT_CODES_HELP}`)
    .action(async (options: CaLocationOptions & { ca: string; out: string; days: string; json?: boolean }) => {
      refuseOutputOverInput([['--out', options.out]], caInputs(options.ca, options.caCert));
      const days = parseDays(options.days, '--days')!;
      const print = summaryStream(ctx, options.out, options.json);
      const ca = await openCaForCli(ctx, options.ca, options);
      const crl = await publishCrl(caFilesBase(options.ca, options.caCert), { certificate: ca.issuer.chain[0]!, signer: ca.issuer.signer }, { days, pem: /\.pem$/i.test(options.out) }).finally(() => ca.close());
      await commitOutputs(ctx, [{ path: options.out, action: 'write', force: true, content: crl.bytes, mode: 0o644 }]);
      const result = { written: [options.out], number: crl.number, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, revoked: crl.revoked };
      if (options.json) printResult(ctx, true, result, () => '');
      else print(safe`wrote CRL #${crl.number} to ${outputName(options.out)}: ${crl.revoked} revoked, next update ${crl.nextUpdate}\n`);
    });
  addCaKeyOptions(crl);
}
