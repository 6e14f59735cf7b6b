import type { Command } from 'commander';
import { parseKeySpec } from '../../crypto/key_spec.js';
import { UsageError } from '../../errors.js';
import { refuseOutputTarget } from '../../fs/output_target.js';
import { createCsrForAlias } from '../../issue/create_csr.js';
import { checkCsrRequest, commitNewKeyRequest } from '../../issue/new_key_request_files.js';
import { parseSan, type SubjectAltName } from '../../issue/san.js';
import { emptyKeystore } from '../../keystore/model.js';
import { pemArmor } from '../../keystore/pem/pem_blocks.js';
import type { CliContext } from '../context.js';
import { KEY_ENTRY_FORMAT_CHOICES, keyEntryFormat, outputFormat } from '../formats.js';
import { note, warn } from '../io.js';
import { openStoreForCli, type OpenedStore } from '../open_store.js';
import { outputName, refuseOutputOverInput, writeOutput } from '../stdio.js';
import { collect, deprecatedOption, jsonOption, PASSWORD_SOURCES, printResult } from '../options.js';
import { CSR_HELP } from '../help/csr.js';

interface CsrOptions {
  keystore?: string;
  alias?: string;
  out: string;
  san?: string[];
  subject?: string;
  newKey?: boolean;
  kty?: string;
  bits?: string;
  curve?: string;
  storeFormat?: string;
  json?: boolean;
  storepass?: string;
  keypass?: string;
  force?: boolean;
}

export function registerCsr(program: Command, ctx: CliContext): void {
  const command = program
    .command('csr')
    .description("make a PKCS#10 certificate request from a keystore entry's key, or with a new key kept in the keystore")
    .argument('[keystore]', 'keystore file (or --keystore)')
    .option('--keystore <file>', 'keystore file; with --new-key it is created when absent')
    .option('--alias <alias>', 'the entry whose key signs the request (default: the only private-key entry); with --new-key: the new entry')
    .requiredOption('--out <file>', 'request output, PEM (not overwritten without --force); - for standard output')
    .option('--san <name>', 'request a subject alternative name: <host>, ip:<addr>, email:<addr>, uri:<uri> (repeatable)', collect)
    .option('--subject <dn>', "subject (default: the entry certificate's; required with --new-key)")
    .option('--new-key', 'generate the key (with a self-signed placeholder certificate, as keytool -genkeypair)')
    .option('--kty <type>', 'with --new-key: rsa|ec|ed25519 (default rsa)')
    .option('--bits <bits>', 'with --new-key: RSA key size (default 3072)')
    .option('--curve <curve>', 'with --new-key: P-256|P-384|P-521')
    .option('--store-format <format>', `with --new-key, for a new keystore: ${KEY_ENTRY_FORMAT_CHOICES} (default: from the extension)`)
    .option('--storepass <src>', `store password: ${PASSWORD_SOURCES}`)
    .option('--keypass <src>', 'key password, where it differs from the store password')
    .option('--force', 'overwrite the request file')
    .addOption(jsonOption('{"written": [files], "alias"}'))
    .addHelpText('after', CSR_HELP)
    .action(async (positional: string | undefined, options: CsrOptions) => {
      const path = positional ?? options.keystore;
      if (path === undefined || (positional !== undefined && options.keystore !== undefined)) throw new UsageError('give the keystore once: as an argument or with --keystore');
      checkCsrRequest(options);
      if (options.storeFormat !== undefined) keyEntryFormat(options.storeFormat, path, '--store-format', () => 'PKCS12');
      refuseOutputOverInput([['--out', options.out]], [['the keystore', path]]);
      // before any key is made
      if (options.out !== '-') refuseOutputTarget(options.out, options.force ?? false);
      if (options.newKey && path === '-') throw new UsageError('--new-key rewrites the keystore: name its file, not -');
      if (options.json && options.out === '-') throw new UsageError('--json and --out - both want standard output: give --out a file name');
      const sans = (options.san ?? []).map(parseSan);
      const alias = await (options.newKey ? requestWithNewKeyKept(ctx, path, options, sans) : requestFromEntry(ctx, path, options, sans));
      if (options.json) printResult(ctx, true, { written: options.newKey ? [options.out, path] : [options.out], alias }, () => '');
    });
  deprecatedOption(command, ctx, '--format <format>', '--store-format');
}

async function requestFromEntry(ctx: CliContext, path: string, options: CsrOptions, sans: SubjectAltName[]): Promise<string> {
  const { store } = await openStoreForCli(ctx, path, options);
  const made = await createCsrForAlias(store, options.alias, { sans, ...(options.subject === undefined ? {} : { subject: options.subject }) });
  for (const w of made.warnings) warn(ctx.io, w);
  await writeRequest(ctx, options, made.csr);
  note(ctx.io, `wrote the request for "${made.alias}" to ${outputName(options.out)}`);
  return made.alias;
}

async function requestWithNewKeyKept(ctx: CliContext, path: string, options: CsrOptions, sans: SubjectAltName[]): Promise<string> {
  const alias = options.alias!;
  const key = parseKeySpec(options);
  const toFile = options.out === '-' ? undefined : { path: options.out, force: options.force ?? false };
  const csr = await commitNewKeyRequest(path, (exists) => openOrCreate(ctx, path, options, exists), { alias, subject: options.subject!, key, sans }, toFile);
  if (!toFile) await writeRequest(ctx, options, csr);
  note(ctx.io, `wrote the request for "${alias}" to ${outputName(options.out)} and the new key to ${path}`);
  return alias;
}

function writeRequest(ctx: CliContext, options: CsrOptions, csr: Uint8Array): Promise<void> {
  return writeOutput(ctx, options.out, pemArmor('CERTIFICATE REQUEST', csr), { mode: 0o644, force: options.force ?? false });
}

/**
 * The keystore to add the new key to, or a new empty one (its password then resolved here).
 * `exists`: as read through its transport (an ssh:// keystore is on another host: a local
 * existsSync took every remote keystore for absent, and the "new" store of one key replaced it,
 * every other entry lost).
 */
async function openOrCreate(ctx: CliContext, path: string, options: CsrOptions, exists: boolean): Promise<OpenedStore> {
  if (exists) return openStoreForCli(ctx, path, options);
  const store = emptyKeystore(keyEntryFormat(options.storeFormat, path, '--store-format', (p) => outputFormat(undefined, p, '--store-format')));
  const password = await ctx.passwords.resolveNew(options.storepass, `password for the new keystore ${path}`);
  return { store, password };
}
