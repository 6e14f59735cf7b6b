import type { Command } from 'commander';
import { registerCaRecord } from './ca_record.js';
import { parseKeySpec } from '../../crypto/key_spec.js';
import { createCa } from '../../issue/create_ca.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { KEY_ENTRY_FORMAT_CHOICES, keyEntryFormat } from '../formats.js';
import { note, warn } from '../io.js';
import { addCaKeyOptions, caInputs, openSigningCa, type CaLocationOptions } from '../ca_location.js';
import { certifiedKeystoreChanges, certifyWith } from '../../authority/issue_with_ca.js';
import { refuseExisting } from '../batch_outputs.js';
import { outputPassword } from '../output_password.js';
import { renderIssued } from '../render/issued_text.js';
import { deprecatedOption, jsonOption, outFormatOption, parseDays, parseWholeNumber, PASSWORD_SOURCES, printResult } from '../options.js';
import { describeCertificate } from '../../cert/describe.js';
import { newKeystoreFormat } from '../../keystore/format_for_path.js';
import { commitOutputs, oneStdio, outputName, refuseOutputOverInput, refuseSecretToTerminal, STDIO, summaryStream } from '../stdio.js';
import { CA_HELP, CA_INIT_HELP } from '../help/ca.js';

export interface CaInitOptions extends CaLocationOptions {
  subject: string;
  out?: string;
  key?: string;
  outFormat?: string;
  alias: string;
  kty?: string;
  bits?: string;
  curve?: string;
  days?: string;
  pathLen?: string;
  outpass?: string;
  ca?: string;
  json?: boolean;
  certOut?: string;
  force?: boolean;
}

export function registerCa(program: Command, ctx: CliContext): void {
  const ca = program.command('ca').description('certificate authorities: make a root or an intermediate CA').addHelpText('after', CA_HELP);
  const init = ca.command('init')
    .description('make a CA key and certificate (self-signed, or signed by --ca) in a new keystore, or in an HSM with --key')
    .requiredOption('--subject <dn>', 'the CA name, e.g. "CN=Example Root CA,O=Example"')
    .option('--out <file>', 'new keystore (not overwritten without --force); required unless --key; - for standard output (never a terminal)')
    .option('--key <pkcs11-uri>', "make the CA key in an HSM instead of a keystore: 'pkcs11:token=<label>;object=<label>' (RSA or EC, sensitive and never extractable; the certificate is stored on the token beside it)")
    .addOption(outFormatOption(`keystore format of --out: ${KEY_ENTRY_FORMAT_CHOICES} (default: from the extension, else pkcs12)`))
    .option('--alias <alias>', 'alias of the CA entry', 'ca')
    .option('--kty <type>', 'key type: rsa|ec|ed25519 (default rsa)')
    .option('--bits <bits>', 'RSA key size (default 3072)')
    .option('--curve <curve>', 'EC curve: P-256|P-384|P-521 (default P-256)')
    .option('--days <days>', 'validity in days (default 3650)')
    .option('--path-len <n>', 'basicConstraints pathLenConstraint (default: none)')
    .option('--outpass <src>', `password for the new keystore: ${PASSWORD_SOURCES}`)
    .option('--ca <keystore>', "make an intermediate signed by the CA in this keystore (or HSM key, 'pkcs11:...')")
    .option('--ca-alias <alias>', 'the issuing CA entry (default: the only private-key entry)')
    .option('--ca-storepass <src>', 'password of the --ca keystore')
    .option('--ca-keypass <src>', 'key password of the issuing entry, where it differs')
    .option('--cert-out <file>', 'also write the CA certificate as PEM, for distributing as a trust anchor; - for standard output')
    .option('--force', 'overwrite existing output files (keeping them as <file>.bak)')
    .addOption(jsonOption('{"written": [files], "format", "alias", "certificate": {"subject", "issuer", "serial", "notBefore", "notAfter", "sha256", ...}}'))
    .addHelpText('after', CA_INIT_HELP)
    .action(async (options: CaInitOptions) => {
      if (options.key !== undefined) return (await import('./ca_init_hsm.js')).caInitOnToken(ctx, options.key, options);
      if (options.out === undefined) throw new UsageError('--out is required (or --key to make the CA key in an HSM)');
      oneStdio('output', [['--out', options.out], ['--cert-out', options.certOut]]);
      refuseOutputOverInput([['--out', options.out], ['--cert-out', options.certOut]], caInputs(options.ca, options.caCert));
      refuseSecretToTerminal(ctx, options.out);
      const print = summaryStream(ctx, [options.out, options.certOut].includes(STDIO) ? STDIO : undefined, options.json);
      const format = keyEntryFormat(options.outFormat, options.out, '--out-format', newKeystoreFormat);
      const key = parseKeySpec(options);
      const days = parseDays(options.days, '--days');
      const pathLength = parseWholeNumber(options.pathLen, '--path-len');
      // refused before the issuer signs: what it signs is recorded
      if (!options.force) await refuseExisting([options.out, ...(options.certOut ? [options.certOut] : [])].filter((p) => p !== STDIO));
      const ca = await openSigningCa(ctx, options.ca, options);
      // a sub-CA leaves its issuer recorded, as sign's certificates do
      const certified = await certifyWith(ca, 'ca', 'ca init', (signing) => createCa({ subject: options.subject, key, alias: options.alias, format, ...(days === undefined ? {} : { days }), ...(pathLength === undefined ? {} : { pathLength }), ...signing })).finally(() => ca?.close());
      const created = certified.made;
      for (const w of created.warnings) warn(ctx.io, w);
      const password = await outputPassword(ctx, options, undefined, format, created.store);
      // the keystore, its certificate and the issuer's record of it together, or none of them
      await commitOutputs(ctx, await certifiedKeystoreChanges(certified, { path: options.out, ...(password === undefined ? {} : { password }), force: options.force ?? false, ...(options.certOut ? { certificatePath: options.certOut } : {}) }));
      const result = { written: [options.out, ...(options.certOut ? [options.certOut] : [])], format, alias: options.alias, certificate: describeCertificate(created.certificate) };
      if (options.json) printResult(ctx, true, result, () => '');
      else print(renderIssued(created.certificate));
      note(ctx.io, `wrote CA "${options.alias}" to ${outputName(options.out)} (${format})${options.certOut ? ` and its certificate to ${outputName(options.certOut)}` : ''}`);
    });
  registerCaRecord(ca, ctx);
  addCaKeyOptions(init);
  deprecatedOption(init, ctx, '--format <format>', '--out-format');
  deprecatedOption(init, ctx, '--issuer <keystore>', '--ca');
  deprecatedOption(init, ctx, '--issuer-alias <alias>', '--ca-alias');
  deprecatedOption(init, ctx, '--issuer-storepass <src>', '--ca-storepass');
  deprecatedOption(init, ctx, '--issuer-keypass <src>', '--ca-keypass');
}
