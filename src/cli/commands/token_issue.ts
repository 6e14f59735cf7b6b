import type { Command } from 'commander';
import { parseKeySpec } from '../../crypto/key_spec.js';
import { UsageError } from '../../errors.js';
import { saveKeystore } from '../../fs/keystore_file.js';
import { caEntry, issuerFromEntry } from '../../issue/issuer.js';
import { DEFAULT_TOKEN_ALIAS, issueTokenCertificate } from '../../token/issue_token.js';
import { tokenFromEntry } from '../../token/token_from_entry.js';
import { parseNodeRef } from '../../trust/node_ref.js';
import type { CliContext } from '../context.js';
import { EXIT_CODES_HELP } from '../exit_codes.js';
import { FORMAT_CHOICES, parseFormat } from '../formats.js';
import { warn } from '../io.js';
import { openStoreForCli } from '../open_store.js';
import { deprecatedOption, jsonOption, outFormatOption, parseDays, printResult } from '../options.js';
import { describeCertificate } from '../../cert/describe.js';
import { outputPassword } from '../output_password.js';
import { renderIssued } from '../render/issued_text.js';
import { newKeystoreFormat } from '../../keystore/format_for_path.js';

interface IssueOptions {
  subject?: string;
  out: string;
  outFormat?: string;
  json?: boolean;
  alias: string;
  kty?: string;
  bits?: string;
  curve?: string;
  days?: string;
  outpass?: string;
  ca?: string;
  caAlias?: string;
  caStorepass?: string;
  caKeypass?: string;
  selfSigned?: boolean;
  from?: string;
  fromStorepass?: string;
  fromKeypass?: string;
  force?: boolean;
}

export function registerTokenIssue(token: Command, ctx: CliContext): void {
  const command = token
    .command('issue')
    .description('make the token key and certificate (keyUsage digitalSignature, keyEncipherment, dataEncipherment) in a new keystore')
    .option('--ca <keystore>', 'sign the token certificate with the CA in this keystore')
    .option('--ca-alias <alias>', 'the CA entry (default: the only private-key entry)')
    .option('--ca-storepass <src>', 'CA store password: pass:TEXT, env:NAME, file:PATH, fd:N or stdin')
    .option('--ca-keypass <src>', 'CA key password, where it differs')
    .option('--self-signed', 'make a self-signed token certificate instead')
    .option('--from <keystore#alias>', 'take an existing key and certificate (an instance\'s SSL entry, say) instead')
    .option('--from-storepass <src>', 'store password of the --from keystore')
    .option('--from-keypass <src>', 'key password of the --from entry, where it differs')
    .option('--subject <dn>', 'the token certificate\'s name, e.g. "CN=msas-token,O=Example"')
    .requiredOption('--out <file>', 'the new token keystore (not overwritten without --force)')
    .addOption(outFormatOption(`keystore format of --out: ${FORMAT_CHOICES} (default: from the extension, else pkcs12)`))
    .option('--alias <alias>', 'alias of the token entry', DEFAULT_TOKEN_ALIAS)
    .option('--kty <type>', 'key type: rsa|ec|ed25519 (default rsa; only RSA can encipher)')
    .option('--bits <bits>', 'RSA key size (default 3072)')
    .option('--curve <curve>', 'EC curve: P-256|P-384|P-521')
    .option('--days <days>', 'validity in days (default 730)')
    .option('--outpass <src>', 'password for the new keystore')
    .option('--force', 'overwrite the output (keeping it as <file>.bak)')
    .addOption(jsonOption('{"written": [files], "format", "alias", "certificate": {"subject", "issuer", "notAfter", "sha256", ...}}'))
    .addHelpText('after', `
Examples:
  hapki token issue --ca ca.p12 --ca-storepass env:CAPASS --subject "CN=msas-token,O=Example" --out token.p12 --outpass env:TOKENPASS
  hapki token issue --self-signed --subject "CN=msas-token" --bits 2048 --days 365 --out token.jks --outpass env:TOKENPASS
  hapki token issue --from node1.jks#ssl --from-storepass env:STOREPASS --out token.p12 --outpass env:TOKENPASS
${EXIT_CODES_HELP}`)
    .action(async (options: IssueOptions) => {
      const sources = [options.ca !== undefined, options.selfSigned === true, options.from !== undefined].filter(Boolean).length;
      if (sources !== 1) throw new UsageError('give exactly one of --ca, --self-signed and --from');
      if (options.from === undefined && options.subject === undefined) throw new UsageError('--subject is required with --ca and --self-signed');
      if (options.from !== undefined && (options.subject !== undefined || options.kty !== undefined || options.days !== undefined)) throw new UsageError('--from takes the existing certificate: --subject, --kty and --days do not apply');
      const format = options.outFormat !== undefined ? parseFormat(options.outFormat) : newKeystoreFormat(options.out);
      const days = parseDays(options.days, '--days');
      let issued;
      if (options.from !== undefined) {
        const ref = parseNodeRef(options.from);
        const { store } = await openStoreForCli(ctx, ref.path, { ...(options.fromStorepass ? { storepass: options.fromStorepass } : {}), ...(options.fromKeypass ? { keypass: options.fromKeypass } : {}) }, '--from-storepass');
        issued = tokenFromEntry(store, { alias: options.alias, format, ...(ref.alias ? { sourceAlias: ref.alias } : {}) });
      } else {
        const key = parseKeySpec(options);
        const issuer = options.ca === undefined ? undefined : await openCa(ctx, options.ca, options);
        issued = await issueTokenCertificate({ subject: options.subject!, alias: options.alias, key, format, ...(days === undefined ? {} : { days }), ...(issuer ? { issuer } : {}) });
      }
      for (const w of issued.warnings) warn(ctx.io, w);
      const password = await outputPassword(ctx, options, undefined, format, issued.store);
      await saveKeystore(options.out, issued.store, { ...(password === undefined ? {} : { password }), force: options.force ?? false });
      printResult(ctx, options.json, { written: [options.out], format, alias: options.alias, certificate: describeCertificate(issued.certificate) }, () => renderIssued(issued.certificate));
      ctx.io.stderr(`hapki: wrote token "${options.alias}" to ${options.out} (${format})\n`);
    });
  deprecatedOption(command, ctx, '--format <format>', '--out-format');
}

async function openCa(ctx: CliContext, path: string, options: IssueOptions): ReturnType<typeof issuerFromEntry> {
  const { store } = await openStoreForCli(ctx, path, { ...(options.caStorepass ? { storepass: options.caStorepass } : {}), ...(options.caKeypass ? { keypass: options.caKeypass } : {}) }, '--ca-storepass');
  return issuerFromEntry(caEntry(store, options.caAlias));
}
