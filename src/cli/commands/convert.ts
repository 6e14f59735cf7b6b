import type { Command } from 'commander';
import { PasswordRequiredError } from '../../errors.js';
import { convertKeystore } from '../../keystore/convert.js';
import type { CliContext } from '../context.js';
import { EXPORT_FORMAT_CHOICES, outputFormat, pkcs7Output } from '../formats.js';
import { convertPkcs7, refusePkcs7Protection } from '../export_pkcs7.js';
import { note, warn } from '../io.js';
import { openStoreForCli, refuseStrayKeyPasswords } from '../open_store.js';
import { outputPassword, resolveKeyPasswords } from '../output_password.js';
import { keyProtection } from '../render/convert_text.js';
import { collect, deprecatedOption, jsonOption, outFormatOption, PASSWORD_SOURCES, printResult } from '../options.js';
import { UsageError } from '../../errors.js';
import { outputName, refuseOutputOverInput, saveKeystoreOutput, summaryStream } from '../stdio.js';
import { CONVERT_HELP } from '../help/convert.js';

interface ConvertOptions {
  outFormat?: string;
  out?: string;
  json?: boolean;
  storepass?: string;
  keypass?: string;
  outpass?: string;
  encrypt: boolean;
  legacy?: boolean;
  force?: boolean;
  allowUnverified?: boolean;
  keypassOut?: string[];
  keypassIn?: string[];
}

export function registerConvert(program: Command, ctx: CliContext): void {
  const command = program
    .command('convert')
    .description('convert a whole keystore, every entry, into another format')
    .argument('<in>', 'source keystore (format detected by content), or - for standard input')
    .argument('[out]', 'output file (not overwritten without --force), or --out; - for standard output (with --out-format; binary formats never to a terminal)')
    .option('--out <file>', 'output file, instead of the argument')
    .addOption(outFormatOption(`output format: ${EXPORT_FORMAT_CHOICES} (default: from the output file's extension; .keystore, .truststore, .ks or none: pkcs12, as keytool; p7b: every certificate, as PKCS#7)`))
    .option('--storepass <src>', `source store password: ${PASSWORD_SOURCES}`)
    .option('--keypass <src>', 'source key password, where it differs from the store password')
    .option('--keypass-in <alias=src>', 'JKS/JCEKS/PKCS#12: the source key password of that entry, where keys differ (repeatable; keytool -importkeystore asks for each)', collect)
    .option('--outpass <src>', 'password for the output and every key in it, in every format (default: the source store password)')
    .option('--keypass-out <alias=src>', 'JKS/JCEKS: a key password of its own for that key of the output (repeatable)', collect)
    .option('--no-encrypt', 'PEM: write private keys unencrypted')
    .option('--legacy', 'PKCS#12: 3DES/RC2-40 with a SHA-1 MAC, for old readers')
    .option('--force', 'overwrite an existing output file (keeping it as <out>.bak)')
    .addOption(jsonOption('{"written": [files], "format", "entries", "of", "skipped": [{"alias", "reason"}], "renamed": [{"from", "to"}]}'))
    .option('--allow-unverified', 'convert a store whose integrity could not be checked (read without its password, or a PKCS#12 without a MAC)')
    .addHelpText('after', CONVERT_HELP)
    .action(async (input: string, outArg: string | undefined, options: ConvertOptions) => {
      const output = outArg ?? options.out;
      if (output === undefined || (outArg !== undefined && options.out !== undefined)) throw new UsageError('give the output once: as an argument or with --out');
      refuseOutputOverInput([['the output', output]], [['the input', input]]);
      summaryStream(ctx, output, options.json);
      if (pkcs7Output(options.outFormat, output)) {
        refusePkcs7Protection({ ...options, out: output });
        const { store } = await openStoreForCli(ctx, input, options);
        refuseStrayKeyPasswords(store, options.keypassIn, input);
        if (!store.integrityChecked && !options.allowUnverified) throw unverified(input);
        const { certificates, skipped, warnings } = await convertPkcs7(ctx, store, output, { ...options, out: output });
        for (const s of skipped) warn(ctx.io, `left out "${s.alias}": ${s.reason}`);
        for (const w of warnings) warn(ctx.io, w);
        if (options.json) printResult(ctx, true, { written: [output], format: 'PKCS7', certificates, of: store.entries.length, skipped }, () => '');
        note(ctx.io, `wrote ${certificates} certificate${certificates === 1 ? '' : 's'} of ${store.entries.length} entries to ${outputName(output)} (PKCS7)`);
        return;
      }
      const format = outputFormat(options.outFormat, output);
      const { store, password } = await openStoreForCli(ctx, input, options);
      refuseStrayKeyPasswords(store, options.keypassIn, input);
      if (!store.integrityChecked && !options.allowUnverified) {
        throw unverified(input);
      }
      const keyPasswords = await resolveKeyPasswords(ctx, options.keypassOut ?? []);
      const { store: converted, skipped, renamed, keys, warnings } = convertKeystore(store, format, { keyPasswords });
      for (const s of skipped) warn(ctx.io, `left out "${s.alias}": ${s.reason}`);
      for (const w of warnings) warn(ctx.io, w);
      for (const k of keys) if (k.protection === 'unchanged') warn(ctx.io, `key "${k.alias}" could not be opened and keeps its own key password (give --keypass to re-protect it)`);
      for (const r of renamed) warn(ctx.io, `alias "${r.from}" is taken in ${format}, where aliases ignore case: written as "${r.to}"`);
      const outPassword = await outputPassword(ctx, options, password, format, converted);
      await saveKeystoreOutput(ctx, output, converted, {
        ...(outPassword === undefined ? {} : { password: outPassword }),
        legacy: options.legacy ?? false,
        force: options.force ?? false,
      });
      if (options.json) printResult(ctx, true, { written: [output], format, entries: converted.entries.length, of: store.entries.length, skipped, renamed, keys }, () => '');
      note(ctx.io, `wrote ${converted.entries.length} of ${store.entries.length} entries to ${outputName(output)} (${format})${keyProtection(keys, outPassword !== undefined)}`);
    });
  deprecatedOption(command, ctx, '--to <format>', '--out-format');
}

function unverified(input: string): PasswordRequiredError {
  return new PasswordRequiredError(`${input} was read without verifying its integrity: give --storepass (or --allow-unverified to convert it as it is)`);
}
