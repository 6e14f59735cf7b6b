import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { EXPORT_PARTS, exportEntry, type ExportPart } from '../../keystore/export_entry.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { EXPORT_FORMAT_CHOICES, extensionFormat, parseFormat, pkcs7Output } from '../formats.js';
import { exportPkcs7, pkcs7Part } from '../export_pkcs7.js';
import { openStoreForCli } from '../open_store.js';
import { deprecatedOption, jsonOption, outFormatOption, PASSWORD_SOURCES, printResult } from '../options.js';
import { note, warn } from '../io.js';
import { outputPassword } from '../output_password.js';
import { outputName, refuseOutputOverInput, saveKeystoreOutput, summaryStream } from '../stdio.js';

interface ExportOptions {
  alias?: string;
  out: string;
  what?: string;
  outFormat?: string;
  json?: boolean;
  storepass?: string;
  keypass?: string;
  outpass?: string;
  encrypt: boolean;
  legacy?: boolean;
  force?: boolean;
}

export function registerExport(program: Command, ctx: CliContext): void {
  const command = program
    .command('export')
    .description('write one entry (its certificate, chain, private key, or all of it) to a new file')
    .argument('<keystore>', 'keystore file, or - for standard input')
    .option('--alias <alias>', 'the entry to export (default: the only entry of a keystore that holds one)')
    .requiredOption('--out <file>', 'output file (not overwritten without --force); - for standard output (a private key or binary output never to a terminal)')
    .option('--what <part>', `what to export: ${EXPORT_PARTS.join('|')} (default: all)`)
    .addOption(outFormatOption(`output format: ${EXPORT_FORMAT_CHOICES} (default: the --out name's extension, .p12 .jks .jceks .pem .crt .der .cer .p7b, else pem; p7b: the certificates as PKCS#7, --what chain by default)`))
    .option('--storepass <src>', `store password: ${PASSWORD_SOURCES}`)
    .option('--keypass <src>', 'key password, where it differs from the store password')
    .option('--outpass <src>', 'password for the output (default: the store password)')
    .option('--no-encrypt', 'PEM/DER: write the private key unencrypted')
    .option('--legacy', 'PKCS#12: 3DES/RC2-40 with a SHA-1 MAC, for old readers')
    .option('--force', 'overwrite an existing output file (keeping it as <file>.bak)')
    .addOption(jsonOption('{"written": [files], "alias", "what", "format"}'))
    .addHelpText(
      'after',
      `
Examples:
  hapki export gateway.jks --alias server1 --what key --out key.pem --storepass env:STOREPASS --no-encrypt
  hapki export gateway.p12 --alias server1 --what chain --out chain.pem --storepass env:STOREPASS
  hapki export gateway.jks --alias server1 --out-format pkcs12 --out server1.p12 --storepass env:STOREPASS --outpass env:P12PASS
  hapki export gateway.p12 --alias server1 --what cert --out - --storepass env:STOREPASS | openssl x509 -noout -enddate
  hapki export gateway.p12 --alias server1 --out server1-chain.p7b --storepass env:STOREPASS
${EXIT_CODES_HELP}`,
    )
    .action(async (path: string, options: ExportOptions) => {
      const part = (options.what ?? 'all') as ExportPart;
      if (!EXPORT_PARTS.includes(part)) throw new UsageError(`--what must be one of ${EXPORT_PARTS.join(', ')}`);
      summaryStream(ctx, options.out, options.json);
      refuseOutputOverInput([['--out', options.out]], [['the keystore', path]]);
      if (pkcs7Output(options.outFormat, options.out)) {
        const p7Part = pkcs7Part(options);
        // named as the other formats name it: the entry's alias, the only entry's when none was given
        const { count, alias } = await exportPkcs7(ctx, (await openStoreForCli(ctx, path, options)).store, options, p7Part);
        if (options.json) printResult(ctx, true, { written: [options.out], alias, what: p7Part, format: 'PKCS7' }, () => '');
        note(ctx.io, `wrote ${p7Part} ${alias ? `"${alias}" ` : ''}to ${outputName(options.out)} (PKCS7, ${count} certificate${count === 1 ? '' : 's'})`);
        return;
      }
      // the format the --out name says (server.p12, cert.der), as convert and keytool read it; else PEM
      const format = options.outFormat !== undefined ? parseFormat(options.outFormat) : (extensionFormat(options.out) ?? 'PEM');
      const { store, password } = await openStoreForCli(ctx, path, options);
      const out = exportEntry(store, options.alias, part, format);
      for (const w of out.warnings) warn(ctx.io, w);
      const alias = options.alias ?? out.entries[0]?.alias ?? '';
      const outPassword = await outputPassword(ctx, options, password, format, out);
      await saveKeystoreOutput(ctx, options.out, out, {
        ...(outPassword === undefined ? {} : { password: outPassword }),
        legacy: options.legacy ?? false,
        force: options.force ?? false,
      });
      const message = `wrote ${part === 'all' ? 'entry' : part} "${alias}" to ${outputName(options.out)} (${format})`;
      if (options.json) printResult(ctx, true, { written: [options.out], alias, what: part, format }, () => '');
      note(ctx.io, message);
    });
  deprecatedOption(command, ctx, '--format <format>', '--out-format');
}
